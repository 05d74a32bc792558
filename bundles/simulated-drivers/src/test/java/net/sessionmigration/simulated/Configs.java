package net.sessionmigration.simulated;

import java.lang.annotation.Annotation;

/** The components' configurations as Config Admin would hand them over. */
final class Configs {
    private Configs() {
    }

    static SimulatedSwitcher.Config switcher(String fail, int initialVlan, String missingVlans) {
        return new SimulatedSwitcher.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SimulatedSwitcher.Config.class;
            }

            @Override
            public String fail() {
                return fail;
            }

            @Override
            public String delay() {
                return "";
            }

            @Override
            public int initialVlan() {
                return initialVlan;
            }

            @Override
            public String missingVlans() {
                return missingVlans;
            }
        };
    }

    static SimulatedMover.Config mover(String fail) {
        return new SimulatedMover.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SimulatedMover.Config.class;
            }

            @Override
            public String fail() {
                return fail;
            }

            @Override
            public String delay() {
                return "";
            }

            @Override
            public boolean canReplicate() {
                return true;
            }
        };
    }

    static SimulatedProbe.Config probe(String fail) {
        return new SimulatedProbe.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SimulatedProbe.Config.class;
            }

            @Override
            public String fail() {
                return fail;
            }

            @Override
            public String delay() {
                return "";
            }
        };
    }
}
