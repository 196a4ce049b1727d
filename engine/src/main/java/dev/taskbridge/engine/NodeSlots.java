package dev.taskbridge.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Tells, for the operators' view, which slots run on each node of a cluster: every node registers
 * one of these with the cluster's receptionist and answers with the slots live on it, as they
 * report themselves. Asked of each node rather than of sharding, whose statistics, asked on a node
 * without a slot type's role, leave that type's slots out (design note 039).
 */
final class NodeSlots {

    static final ServiceKey<Ask> KEY = ServiceKey.create(Ask.class, "taskbridge-node-slots");

    /** How many slots run on the node asked, per task type. */
    record Ask(ActorRef<Answer> replyTo) implements JsonSerializable {
    }

    /** @param node the node's cluster address */
    record Answer(String node, Map<String, Integer> perTaskType) implements JsonSerializable {

        int total() {
            return perTaskType.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private NodeSlots() {
    }

    /** Registers this node's counter; {@code liveHere} counts the slots live on this node, per task type. */
    static Behavior<Ask> create(String self, Supplier<Map<String, Integer>> liveHere) {
        return Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.register(KEY, context.getSelf()));
            return Behaviors.receiveMessage(ask -> {
                ask.replyTo().tell(new Answer(self, liveHere.get()));
                return Behaviors.same();
            });
        });
    }

    /**
     * Asks every node's counter, within {@code timeout} in all: the receptionist and then each node
     * get half of it, so that a node that does not answer in time is left out rather than leaving
     * every node's count unknown.
     */
    static CompletionStage<Map<String, Integer>> perNode(ActorSystem<?> system, Duration timeout) {
        Duration half = timeout.dividedBy(2);
        return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
                        replyTo -> Receptionist.find(KEY, replyTo), half, system.scheduler())
                .thenCompose(listing -> {
                    List<CompletableFuture<Answer>> answers = new ArrayList<>();
                    for (ActorRef<Ask> node : listing.getServiceInstances(KEY)) {
                        answers.add(AskPattern.<Ask, Answer>ask(node, Ask::new, half.minusMillis(50), system.scheduler())
                                .toCompletableFuture().exceptionally(noAnswer -> null));
                    }
                    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
                        Map<String, Integer> perNode = new TreeMap<>();
                        answers.stream().map(CompletableFuture::join).filter(answer -> answer != null)
                                .forEach(answer -> perNode.put(answer.node(), answer.total()));
                        return perNode;
                    });
                });
    }
}
