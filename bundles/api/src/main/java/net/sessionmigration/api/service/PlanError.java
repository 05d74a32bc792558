package net.sessionmigration.api.service;

/** One problem in a plan file: which file, which field (a JSON path such as {@code users[2].port}), the bad value, why. */
public record PlanError(String file, String field, String value, String message) {
    @Override
    public String toString() {
        return file + ": " + field + (value == null || value.isEmpty() ? "" : " = '" + value + "'") + ": " + message;
    }
}
