package dev.taskbridge.web;

import java.util.List;

import dev.taskbridge.gateway.TaskGateway;
import dev.taskbridge.gateway.TaskTypeView;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The task types clients can submit: id, version, slots and the plugin class behind each. */
@Path("/task-types")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class TaskTypesResource {

    @EJB
    private TaskGateway gateway;

    @GET
    public List<TaskTypeView> list() {
        return gateway.taskTypes();
    }
}
