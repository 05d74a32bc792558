package net.sessionmigration.criurpc;

/** CRIU's VERSION answer; sublevel and extra are 0 and gitId and name null when CRIU sends none. */
public record CriuVersion(int major, int minor, int sublevel, int extra, String gitId, String name) {
    @Override
    public String toString() {
        return major + "." + minor + (sublevel != 0 || extra != 0 ? "." + sublevel : "") + (extra != 0 ? "." + extra : "")
                + (gitId != null ? " (" + gitId + ")" : "");
    }
}
