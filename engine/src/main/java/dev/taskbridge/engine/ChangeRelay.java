package dev.taskbridge.engine;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Carries every node's {@link TaskChange}s to the listeners of every other node of a cluster
 * (design note 038), so that an event stream or a page on any node shows the progress of a task
 * whichever node its slot runs on. One topic of Pekko's distributed publish-subscribe; each node
 * publishes what its own slots and requests change and delivers what the others publish.
 *
 * <p>As on a single server, a change is told once, best effort: a change in flight when its
 * node dies is not told elsewhere (its task's state in the shared store is right everywhere).
 */
final class ChangeRelay {

    static final String TOPIC = "taskbridge-task-changes";

    /** A change as it crosses nodes, with the address of the node it happened on. */
    record Relayed(String origin, TaskChange change) implements JsonSerializable {
    }

    private ChangeRelay() {
    }

    /**
     * Makes {@code changes} publish on the topic too, and, unless this node is a worker, subscribes
     * to it: a worker serves no listeners (no pages, no event streams), so what the other nodes
     * change is not sent to it at all.
     *
     * @param self   this node's address: what it publishes comes back to it, and is not told twice
     * @param listen whether this node's listeners are told of the other nodes' changes
     */
    static Behavior<Relayed> create(TaskChanges changes, String self, boolean listen) {
        return Behaviors.setup(context -> {
            ActorRef<Topic.Command<Relayed>> topic = context.spawn(Topic.create(Relayed.class, TOPIC), "topic");
            if (listen) {
                topic.tell(Topic.subscribe(context.getSelf()));
            }
            changes.relayTo(change -> topic.tell(Topic.publish(new Relayed(self, change))));
            return Behaviors.receiveMessage(relayed -> {
                if (!relayed.origin().equals(self)) {
                    changes.deliver(relayed.change());
                }
                return Behaviors.same();
            });
        });
    }
}
