package net.sessionmigration.api.model;

/** A server that can run the workload, and the site (data centre) it sits in. */
public record Server(String name, String site) {
    public Server {
        Names.require("server name", name);
        Names.require("site", site);
    }
}
