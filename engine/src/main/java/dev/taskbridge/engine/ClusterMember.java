package dev.taskbridge.engine;

import java.util.Set;

/**
 * A member of the cluster as one node sees it (design note 036).
 *
 * @param address     {@code pekko://system@host:port}
 * @param status      Pekko's member status: Joining, Up, Leaving, Exiting, Down, Removed...
 * @param reachable   false while the node that reports it cannot reach that member
 * @param self        it is the node that reports it
 * @param version     the Taskbridge version the member runs ({@link BuildInfo#version()})
 */
public record ClusterMember(String address, String status, Set<String> roles, boolean reachable, boolean self, String version) {

    public ClusterMember {
        roles = Set.copyOf(roles);
    }
}
