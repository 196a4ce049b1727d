package dev.taskbridge.engine;

import java.util.List;
import java.util.Map;

import com.typesafe.config.Config;
import org.apache.pekko.cluster.ConfigValidation;
import org.apache.pekko.cluster.JoinConfigCompatChecker;

/**
 * Refuses a node whose task types are placed on other roles than the cluster's (design note 039):
 * a node that placed a type elsewhere could start a slot as an entity of another type than the
 * other nodes do, and one slot would then run twice, two writers of one journal. Pekko runs the
 * check when a node joins, on the node that lets it in, and with {@code enforce-on-join} (Pekko's
 * default) the joining node is refused and says why.
 */
public final class PlacementCheck extends JoinConfigCompatChecker {

    /**
     * The setting compared: each placed type as {@code type=role}, sorted, and first where the
     * types not placed go ({@link #UNPLACED}), so that a node of a build that placed them otherwise
     * (on no role, before headless workers) is refused too.
     */
    static final String PLACEMENT = "taskbridge.cluster.placement";
    static final String UNPLACED = "*=" + ClusterSettings.UNPLACED_TYPES_ROLE;

    /** Registered under this name in Pekko's {@code configuration-compatibility-check.checkers}. */
    static final String CHECKER = "pekko.cluster.configuration-compatibility-check.checkers.taskbridge-placement";

    /** Made by Pekko, by name, when the cluster starts. */
    public PlacementCheck() {
    }

    static List<String> placement(Map<String, String> typeRoles) {
        List<String> placement = new java.util.ArrayList<>(List.of(UNPLACED));
        typeRoles.entrySet().stream().map(placed -> placed.getKey() + "=" + placed.getValue()).sorted().forEach(placement::add);
        return List.copyOf(placement);
    }

    @Override
    public scala.collection.immutable.Seq<String> requiredKeys() {
        return scala.jdk.javaapi.CollectionConverters.asScala(List.of(PLACEMENT)).toSeq();
    }

    @Override
    public ConfigValidation check(Config toCheck, Config actualConfig) {
        return JoinConfigCompatChecker.fullMatch(requiredKeys(), toCheck, actualConfig);
    }
}
