package io.harmonia.domain.schedule;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Whether a schedule's cron fires run. */
public enum ScheduleStatus {
    ACTIVE, PAUSED, DELETED;

    @JsonValue
    public String json() {
        return name().toLowerCase();
    }

    @JsonCreator
    static ScheduleStatus fromJson(String name) {
        return valueOf(name.toUpperCase());
    }
}
