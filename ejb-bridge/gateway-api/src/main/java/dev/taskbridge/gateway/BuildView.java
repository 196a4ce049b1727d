package dev.taskbridge.gateway;

import java.util.List;

/**
 * Which Taskbridge runs on this node, and which plugins: what an operator compares across nodes
 * and before and after a deploy.
 *
 * @param version the Taskbridge version, e.g. {@code 0.1.0}
 * @param commit  the commit it was built from (abbreviated; {@code -dirty} when built from a tree
 *                with changes not committed), or {@code unknown}
 * @param node    this node's name ({@code taskbridge.node-name}, else WildFly's node name)
 * @param profile the deployment's profile, {@code mp.config.profile}: {@code dev}, {@code stage} or {@code prod}
 * @param plugins the jar of each task type's plugin
 */
public record BuildView(String version, String commit, String node, String profile, List<PluginView> plugins) {

    public BuildView {
        plugins = List.copyOf(plugins);
    }
}
