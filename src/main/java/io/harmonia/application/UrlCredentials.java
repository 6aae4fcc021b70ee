package io.harmonia.application;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Credentials in a URL ({@code https://admin:s3cret@host/}) would be stored in events, views, Kafka records and
 * webhooks; the http component and webhooks refuse such URLs anyway. Workflow definitions and execution inputs that
 * hold one are refused, naming where it is and never repeating it.
 */
final class UrlCredentials {
    private static final int MAX_PROBLEMS = 20;
    /** http(s), then an authority that has an '@' before any '/', '?' or '#'. */
    private static final Pattern WITH_USER_INFO = Pattern.compile("(?i)^\\s*https?://[^/?#@\\s]*@");

    private UrlCredentials() {}

    /** Problems for every string under {@code node} that is an http(s) URL with user info; pointers start at {@code base}. */
    static List<Problem> check(JsonNode node, String base) {
        List<Problem> problems = new ArrayList<>();
        JsonTexts.walk(node, base, (pointer, text, propertyName) -> {
            if (!propertyName && WITH_USER_INFO.matcher(text).find()) {
                problems.add(new Problem(pointer, "expected a URL without user info, found one with a user name"
                        + " or password before '@' (it would be stored in events and views); send credentials in a"
                        + " header such as authorization"));
            }
            return problems.size() < MAX_PROBLEMS;
        });
        return problems;
    }
}
