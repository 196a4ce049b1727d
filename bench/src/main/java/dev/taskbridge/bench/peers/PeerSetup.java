package dev.taskbridge.bench.peers;

import javax.sql.DataSource;

/**
 * What a peer gets to start with: its own freshly made database and the sizes of the run.
 *
 * @param workers   threads (or slots) that run task bodies: the same number for every peer
 * @param keys      W5's keys (each gets its own ordered job where a peer needs one), 0 for W1
 * @param resuming  W3's second start: the database and the library's tables are there, with the
 *                  unfinished work of a process that was killed; nothing is created again
 */
record PeerSetup(DataSource dataSource, String jdbcUrl, String user, String password, int workers, int poolSize,
                 String workload, int keys, boolean resuming) {
}
