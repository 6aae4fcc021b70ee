package io.harmonia.expression;

import static org.assertj.core.api.Assertions.assertThat;

import io.harmonia.expression.TemplateString.Segment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TemplateString finds the placeholders of a template string")
class TemplateStringTest {

    private static Segment literal(String text) {
        return new Segment(text, null);
    }

    private static Segment placeholder(String expression) {
        return new Segment(null, expression);
    }

    @Test
    @DisplayName("literal text and placeholders alternate; expressions lose surrounding whitespace")
    void segments() {
        assertThat(TemplateString.parse("a ${ x } b ${y}").segments())
                .containsExactly(literal("a "), placeholder("x"), literal(" b "), placeholder("y"));
        assertThat(TemplateString.parse("${x}").isSinglePlaceholder()).isTrue();
        assertThat(TemplateString.parse("${x}${y}").isSinglePlaceholder()).isFalse();
    }

    @Test
    @DisplayName("$${ is a literal ${, including right before a placeholder")
    void escapes() {
        TemplateString parsed = TemplateString.parse("$${a} $$${b}");
        assertThat(parsed.hasPlaceholders()).isFalse();
        assertThat(parsed.literalText()).isEqualTo("${a} $${b}");
        assertThat(TemplateString.parse("$${a}${b}").segments())
                .containsExactly(literal("${a}"), placeholder("b"));
        assertThat(TemplateString.parse("cost $5 {x}").literalText()).isEqualTo("cost $5 {x}");
    }

    @Test
    @DisplayName("braces inside string literals of every CEL form do not count")
    void stringLiterals() {
        assertThat(TemplateString.parse("${ '}' }").segments()).containsExactly(placeholder("'}'"));
        assertThat(TemplateString.parse("${ \"}\\\"}\" }").segments()).containsExactly(placeholder("\"}\\\"}\""));
        assertThat(TemplateString.parse("${ '''a'}'b''' }").segments()).containsExactly(placeholder("'''a'}'b'''"));
        assertThat(TemplateString.parse("${ r'\\' + '}' }").segments()).containsExactly(placeholder("r'\\' + '}'"));
        assertThat(TemplateString.parse("${ b'}' }").segments()).containsExactly(placeholder("b'}'"));
    }

    @Test
    @DisplayName("nested braces belong to the expression")
    void nestedBraces() {
        assertThat(TemplateString.parse("${ {'a': {'b': 1}}.a.b }!").segments())
                .containsExactly(placeholder("{'a': {'b': 1}}.a.b"), literal("!"));
    }

    @Test
    @DisplayName("a ${ without its } makes the string invalid")
    void unterminated() {
        assertThat(TemplateString.parse("x ${y").error()).contains("unterminated").contains("index 2");
        assertThat(TemplateString.parse("${ '}").isValid()).isFalse();
        assertThat(TemplateString.parse("${ {'a': 1} ").isValid()).isFalse();
    }

    @Test
    @DisplayName("an empty placeholder is an empty expression")
    void empty() {
        assertThat(TemplateString.parse("${  }").segments()).containsExactly(placeholder(""));
    }
}
