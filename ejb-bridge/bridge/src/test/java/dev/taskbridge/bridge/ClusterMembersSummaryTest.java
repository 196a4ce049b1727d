package dev.taskbridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import dev.taskbridge.engine.ClusterMember;
import dev.taskbridge.gateway.HealthReport;
import org.junit.jupiter.api.Test;

/** What readiness shows of the cluster ({@code clusterMembers}), as an operator and the cluster test read it. */
class ClusterMembersSummaryTest {

    @Test
    void aSingleServerSaysSo() {
        assertThat(TaskGatewayBean.clusterMembers(List.of(), false)).isEqualTo(HealthReport.SINGLE_SERVER);
    }

    @Test
    void aNodeThatHasNotJoinedSeesNoMembers() {
        assertThat(TaskGatewayBean.clusterMembers(List.of(), true)).isEqualTo("0: this node has not joined yet");
    }

    @Test
    void membersAreCountedByStatusWithTheUnreachableApartAndThisNodeNamed() {
        List<ClusterMember> members = List.of(
                new ClusterMember("pekko://taskbridge@127.0.0.1:25520", "Up", Set.of(), true, true, "0.1.0"),
                new ClusterMember("pekko://taskbridge@127.0.0.1:25521", "Up", Set.of(), false, false, "0.1.0"),
                new ClusterMember("pekko://taskbridge@127.0.0.1:25522", "Joining", Set.of(), true, false, "0.1.0"));

        assertThat(TaskGatewayBean.clusterMembers(members, true)).isEqualTo("2 Up, 1 Joining, 1 unreachable: "
                + "pekko://taskbridge@127.0.0.1:25520 Up (this node), pekko://taskbridge@127.0.0.1:25521 Up unreachable, "
                + "pekko://taskbridge@127.0.0.1:25522 Joining");
        assertThat(TaskGatewayBean.clusterMembers(members.subList(0, 1), true))
                .isEqualTo("1 Up: pekko://taskbridge@127.0.0.1:25520 Up (this node)");
    }
}
