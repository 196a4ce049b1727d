package dev.taskbridge.gateway;

import java.util.List;

/**
 * The cluster as the node asked sees it (design note 036): its members and how many slots run on
 * each. On a single server, {@code clustered} is false and there are no members.
 *
 * @param typesWithoutNode the task types placed on a role that no member Up has, as {@code type (role)}:
 *                         their tasks wait until such a node joins (design note 039)
 */
public record ClusterView(boolean clustered, List<Member> members, List<String> typesWithoutNode) {

    public static final ClusterView SINGLE_SERVER = new ClusterView(false, List.of(), List.of());

    public ClusterView {
        members = List.copyOf(members);
        typesWithoutNode = List.copyOf(typesWithoutNode);
    }

    /**
     * A member of the cluster.
     *
     * @param address   {@code pekko://taskbridge@host:port}
     * @param status    Pekko's member status: Joining, Up, Leaving, Exiting, Down...
     * @param roles     the member's roles
     * @param reachable false while the node asked cannot reach it
     * @param self      it is the node asked
     * @param slots     the slots that run there, as that node counts them; null when it did not answer
     * @param version   the Taskbridge version it runs
     */
    public record Member(String address, String status, List<String> roles, boolean reachable, boolean self, Integer slots,
                         String version) {

        public Member {
            roles = List.copyOf(roles);
        }
    }
}
