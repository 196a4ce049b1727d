package dev.taskbridge.web.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import dev.taskbridge.gateway.OrderKey;
import dev.taskbridge.gateway.Priority;
import dev.taskbridge.gateway.ResultSummaryView;
import dev.taskbridge.gateway.Submission;
import dev.taskbridge.gateway.SubmitResult;
import dev.taskbridge.gateway.TaskFormView;
import dev.taskbridge.gateway.TaskGateway;
import dev.taskbridge.gateway.TaskTypeView;
import dev.taskbridge.gateway.TaskView;
import dev.taskbridge.gateway.TaskbridgeException;
import dev.taskbridge.web.PayloadTooLargeException;
import dev.taskbridge.web.Uploads;
import jakarta.ejb.EJB;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.http.Part;

/**
 * Submitting a task of any type, from the form its plugin describes ({@link TaskFormView}): the
 * kinds of file it takes, its options, and whether a file is checked first. Without a type, the
 * page lists the forms to choose from.
 *
 * <p>A type that checks first does it in two steps. The clerk uploads the file and the server
 * checks it, live, with the check's summary and every error shown. The clerk then confirms, and
 * the very file that was checked is submitted with the options it was checked with: the
 * confirming task takes the check task's stored payload, so nothing is uploaded twice and nothing
 * can change in between. Confirming twice submits once (the idempotency key is the check's id).
 * Whether a check may be confirmed is the plugin's to say ({@link ResultSummaryView#confirmable()}).
 */
@Named("submitPage")
@ViewScoped
public class SubmitPage implements Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    private TaskGateway gateway;

    @Inject
    private CurrentUser user;

    /** The view parameter: which form to show. */
    private String type;
    /** The task type whose form the page shows, fixed when it was loaded: what it submits, whatever a postback says. */
    private String formType;
    private TaskFormView form;
    private List<FormLink> forms = List.of();
    /** Option values as the form's fields hold them: text, or a Boolean from a flag's checkbox. */
    private final Map<String, Object> values = new HashMap<>();
    /** The uploaded file of the request that submits it; not kept with the page. */
    private transient Part file;
    private String fileName;
    private String checkTaskId;
    /** The priority the clerk chose; confirming a check keeps the check's. */
    private int priority = Priority.USUAL;
    /** The order key the clerk gave, or empty; confirming a check keeps the check's. */
    private String orderKey;
    /** The options the file was checked with, which confirming submits again. */
    private Map<String, String> checkedOptions = Map.of();
    private TaskRow check;
    private ResultSummaryView summary;
    private ResultView report;

    /** A priority the page offers, by name: the API takes any from -100 to 100. */
    public record PriorityChoice(int value, String label) implements Serializable {
    }

    private static final List<PriorityChoice> PRIORITIES = List.of(new PriorityChoice(Priority.USUAL, "Usual"),
            new PriorityChoice(50, "High: before the usual tasks waiting"),
            new PriorityChoice(100, "Urgent: before every task waiting"),
            new PriorityChoice(-50, "Low: after the usual tasks waiting"));

    public List<PriorityChoice> getPriorities() {
        return PRIORITIES;
    }

    public int getPriority() {
        return priority;
    }

    public void setPriority(int priority) {
        this.priority = priority;
    }

    public String getOrderKey() {
        return orderKey;
    }

    public void setOrderKey(String orderKey) {
        this.orderKey = orderKey;
    }

    /** A form to choose, by its task type's id. */
    public record FormLink(String type, String title, String help) implements Serializable {
    }

    /** Finds the task type's form, or every form when no type is asked for. */
    public void load() {
        try {
            List<TaskTypeView> types = gateway.taskTypes();
            if (type == null || type.isBlank()) {
                forms = types.stream().filter(each -> each.form() != null && each.closed() == null)
                        .map(each -> new FormLink(each.id(), each.form().title(), each.form().help())).toList();
                return;
            }
            TaskTypeView found = types.stream().filter(candidate -> candidate.id().equals(type)).findFirst().orElse(null);
            if (found == null) {
                Pages.error("There is no task type " + type + ".");
                return;
            }
            if (found.form() == null) {
                Pages.error("Task type " + type + " cannot be submitted from these pages: its plugin's form is refused "
                        + "(the server's log says why).");
                return;
            }
            if (found.closed() != null) {
                Pages.error("Task type " + type + " takes no new tasks: " + found.closed() + ".");
                return;
            }
            form = found.form();
            formType = found.id();
            if (found.paused() != null) {
                // said before the file is chosen: the task will be taken, and will wait
                Pages.info(found.id() + " is paused since " + Pages.time(found.paused().at())
                        + ": a task you submit is stored now and runs when it is resumed.");
            }
            if (values.isEmpty()) {
                form.options().forEach(option -> values.put(option.name(),
                        "FLAG".equals(option.kind()) ? Boolean.valueOf(option.defaultValue()) : option.defaultValue()));
            }
        } catch (TaskbridgeException e) {
            Pages.refused(e);
        }
    }

    /** Uploads the file: checks it, for a type that checks first, else submits it and goes to its task's page. */
    public void submit() throws IOException {
        if (form == null) {
            return;
        }
        try {
            Uploads.File upload = upload();
            if (upload == null) {
                return;
            }
            Map<String, String> options = options();
            if (form.checkFirst() == null) {
                SubmitResult submitted = gateway.submit(new Submission(formType, user.getName(), null, upload.mediaType(),
                        upload.content(), options, null, priority, OrderKey.given(orderKey)));
                goToTask(submitted.task().id());
                return;
            }
            Map<String, String> checking = new LinkedHashMap<>(options);
            checking.put(form.checkFirst().option(), form.checkFirst().value());
            SubmitResult submitted = gateway.submit(new Submission(formType, user.getName(), null, upload.mediaType(),
                    upload.content(), checking, null, priority, OrderKey.given(orderKey)));
            fileName = file.getSubmittedFileName();
            checkTaskId = submitted.task().id();
            checkedOptions = options;
            show(submitted.task());
        } catch (TaskbridgeException e) {
            checkTaskId = null;
            check = null;
            summary = null;
            report = null;
            Pages.refused(e);
        } finally {
            if (file != null) {
                file.delete();
                file = null;
            }
        }
    }

    /** The file as uploaded, its kind told once, or null with a message saying why not. */
    private Uploads.File upload() throws IOException {
        String kinds = form.files().stream().map(kind -> kind.label() + " (" + kind.extension() + ")")
                .collect(Collectors.joining(" or "));
        if (file == null || file.getSize() == 0) {
            Pages.error("Choose a file: " + kinds + ".");
            return null;
        }
        if (file.getSize() > Uploads.MAX_PAYLOAD_BYTES) {
            Pages.error(tooLarge());
            return null;
        }
        String mediaType = mediaType();
        if (form.files().stream().noneMatch(kind -> kind.mediaType().equals(mediaType))) {
            Pages.error("The file must be " + kinds + "; this one is " + mediaType + ".");
            return null;
        }
        try (InputStream in = file.getInputStream()) {
            return new Uploads.File(mediaType, Uploads.readLimited(in));
        } catch (PayloadTooLargeException e) {
            Pages.error(tooLarge());
            return null;
        }
    }

    /**
     * The file's kind by its name's extension, when that is one the form takes: a browser only
     * guesses the type from the extension too (Chromium sends {@code text/xml} for a {@code .xml}
     * that the plugin takes as {@code application/xml}). Otherwise what the browser declared.
     */
    private String mediaType() {
        String name = file.getSubmittedFileName() == null ? "" : file.getSubmittedFileName().toLowerCase(Locale.ROOT);
        return form.files().stream().filter(kind -> name.endsWith(kind.extension())).map(TaskFormView.FileKind::mediaType)
                .findFirst().orElseGet(() -> Uploads.mediaType(file.getContentType(), file.getSubmittedFileName()));
    }

    private String tooLarge() {
        return "The file is larger than " + getMaxSize() + ".";
    }

    /** The form's options as submitted: only those it describes, blank ones left to the defaults. */
    private Map<String, String> options() {
        Map<String, String> options = new LinkedHashMap<>();
        for (TaskFormView.Option option : form.options()) {
            Object value = values.get(option.name());
            String text = value == null ? "" : String.valueOf(value).strip();
            if (!text.isEmpty()) {
                options.put(option.name(), text);
            }
        }
        return options;
    }

    /** Reads the check again: when its live stream says it ended. */
    public void refresh() {
        if (checkTaskId != null) {
            try {
                gateway.find(checkTaskId).ifPresent(this::show);
            } catch (TaskbridgeException e) {
                Pages.refused(e);
            }
        }
    }

    private void show(TaskView task) {
        check = TaskRow.of(task);
        summary = gateway.summarize(task);
        report = ResultView.of(task.result());
    }

    /** Submits the file that was checked, with the options it was checked with, and goes to that task's page. */
    public void confirm() throws IOException {
        if (!isConfirmable()) {
            Pages.error("What was checked cannot be submitted as it is.");
            return;
        }
        try {
            // the check's own type, whatever a crafted postback says the page's is
            SubmitResult confirmed = gateway.submitPayloadOf(checkTaskId, check.type(), user.getName(), "confirm-" + checkTaskId,
                    checkedOptions);
            goToTask(confirmed.task().id());
        } catch (TaskbridgeException e) {
            Pages.refused(e);
        }
    }

    private static void goToTask(String id) throws IOException {
        ExternalContext external = FacesContext.getCurrentInstance().getExternalContext();
        external.redirect(external.getRequestContextPath() + "/task.xhtml?id=" + id);
    }

    /** Checked, and the task type says what was checked may be confirmed. */
    public boolean isConfirmable() {
        return form != null && form.checkFirst() != null && check != null && "SUCCEEDED".equals(check.status())
                && summary != null && summary.confirmable();
    }

    /** The largest file, as the form says it. */
    public String getMaxSize() {
        return Uploads.MAX_PAYLOAD_BYTES / (1024 * 1024) + " MiB";
    }

    /** What the file input accepts: the extensions and media types of the form's kinds. */
    public String getAccept() {
        return form == null ? "" : form.files().stream().map(kind -> kind.extension() + "," + kind.mediaType())
                .collect(Collectors.joining(","));
    }

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public TaskFormView getForm() {
        return form;
    }

    /** Without a type: every task type's form, to choose from. */
    public List<FormLink> getForms() {
        return forms;
    }

    public Map<String, Object> getValues() {
        return values;
    }

    public Part getFile() {
        return file;
    }

    public void setFile(Part file) {
        this.file = file;
    }

    public String getFileName() {
        return fileName;
    }

    public String getCheckTaskId() {
        return checkTaskId;
    }

    public TaskRow getCheck() {
        return check;
    }

    public ResultSummaryView getSummary() {
        return summary;
    }

    public ResultView getReport() {
        return report;
    }
}
