package dev.taskbridge.web.ui;

import java.util.List;

import dev.taskbridge.gateway.EngineFacts;
import dev.taskbridge.gateway.TaskGateway;
import dev.taskbridge.gateway.TaskTypeView;
import dev.taskbridge.gateway.TaskbridgeException;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;

/** For admins: the task types (plugins, versions, slots) and what the engine looks like now. */
@Named("typesPage")
@RequestScoped
public class TypesPage {

    @EJB
    private TaskGateway gateway;

    private List<TaskTypeView> types = List.of();
    private EngineFacts facts;

    public void load() {
        try {
            types = gateway.taskTypes();
            facts = gateway.engineFacts();
        } catch (TaskbridgeException e) {
            Pages.refused(e);
        }
    }

    public List<TaskTypeView> getTypes() {
        return types;
    }

    public EngineFacts getFacts() {
        return facts;
    }

    public String getStartedAt() {
        return facts == null ? "" : Pages.time(facts.startedAt());
    }
}
