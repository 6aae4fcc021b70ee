package io.harmonia.webhook;

/** No webhook subscription has this id. */
public final class SubscriptionNotFound extends RuntimeException {
    public SubscriptionNotFound(String id) {
        super("Expected a webhook subscription with id '" + id + "', but none exists");
    }
}
