package io.harmonia.config;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * JSON written as UTF-8 bytes (every REST response) keeps characters outside the Basic Multilingual Plane as they
 * are: Jackson's byte writer otherwise escapes each half of a surrogate pair, so an emoji written as 🚀 read back
 * as {@code \uD83D\uDE80}. JSON written as text (events, read models) never escaped them.
 */
@Singleton
public class JsonOutput implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory().configure(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8.mappedFeature(), true);
    }
}
