package dev.taskbridge.gateway;

import java.util.List;

/**
 * Recurring tasks, managed at runtime: each schedule submits an ordinary task of its author's at
 * each firing, exactly once per firing (also across crashes and several nodes). Stored at once;
 * changes take effect without a redeploy.
 */
public interface ScheduleGateway {

    /** The runs a schedule's view lists unless asked for more. */
    int LAST_RUNS = 20;
    /** The most runs a schedule's view lists: as many as are kept. */
    int MOST_RUNS = 500;

    /** Every schedule, by name, with its next firings and latest runs. */
    List<ScheduleView> schedules();

    /**
     * @param runs how many of its latest runs to list, 1 to {@link #MOST_RUNS}
     * @throws ScheduleNotFoundException no schedule has that id
     */
    ScheduleView schedule(String id, int runs);

    /**
     * @param by who creates it: the owner of the tasks it submits
     * @throws InvalidSubmissionException naming each field that is wrong; nothing was stored
     */
    ScheduleView create(ScheduleRequest request, String by);

    /**
     * Replaces what a schedule is; it fires next by its new rule, from now. Its owner stays.
     *
     * @throws ScheduleNotFoundException  no schedule has that id
     * @throws InvalidSubmissionException naming each field that is wrong; nothing was changed
     */
    ScheduleView change(String id, ScheduleRequest request, String by);

    /** No firing is made until it is resumed; pausing a paused schedule keeps its first pause. */
    ScheduleView pause(String id, String by);

    /** Fires again from its next firing after now; the firings of the pause are not made. */
    ScheduleView resume(String id);

    /** Deletes it and its runs; the tasks it submitted stay. */
    void delete(String id);
}
