package dev.taskbridge.bench.peers;

import java.util.List;

/** The peers by the names used on the command line, in the report's order. */
final class Peers {

    static final List<String> ALL = List.of("taskbridge", "taskbridge-chained", "db-scheduler-fetch", "db-scheduler-lock-and-fetch", "quartz",
            "jobrunr", "pekko-actor-per-task");

    /** Peers that differ from another only in W5, and so are run in W5 alone. */
    static boolean w5Only(String name) {
        return name.equals("taskbridge-chained");
    }

    private Peers() {
    }

    static Peer create(String name) {
        return switch (name) {
            case "taskbridge" -> new TaskbridgePeer(false);
            case "taskbridge-chained" -> new TaskbridgePeer(true);
            case "db-scheduler-fetch" -> new DbSchedulerPeer(DbSchedulerPeer.Strategy.FETCH);
            case "db-scheduler-lock-and-fetch" -> new DbSchedulerPeer(DbSchedulerPeer.Strategy.LOCK_AND_FETCH);
            case "quartz" -> new QuartzPeer();
            case "jobrunr" -> new JobRunrPeer();
            case "pekko-actor-per-task" -> new ActorPerTaskPeer();
            default -> throw new IllegalArgumentException("unknown peer '" + name + "': use one of " + ALL);
        };
    }
}
