package net.sessionmigration.api.model;

/** The session-migration sequence, with the step numbers of the source design (WO 2005/083569). */
public enum Step {
    S701("start request received"),
    S702("start sent to the source migration daemon"),
    S703("workload frozen"),
    S704("workload migrated to the target"),
    S705("virtual IP moved to the target"),
    S706("migration finished"),
    S707("switch requested from connection control"),
    S708("users' access ports switched"),
    S709("resume sent to the migration daemon"),
    S710("workload resumed at the target"),
    S711("resumed reported");

    private final String description;

    Step(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
