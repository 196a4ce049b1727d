package dev.taskbridge.web.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.Map;
import java.util.Set;

import dev.taskbridge.gateway.Submission;
import dev.taskbridge.gateway.SubmitResult;
import dev.taskbridge.gateway.TaskGateway;
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
 * Posting a ledger file in two steps. The clerk uploads it and the server checks it
 * ({@code ledger.post} with {@code checkOnly}): against the rules and the books, live, with every
 * error listed. The clerk then confirms, and the very file that was checked is posted: the
 * posting task takes the check task's stored payload, so nothing is uploaded twice and nothing
 * can change in between. Confirming twice posts once (the posting's idempotency key is the
 * check's id).
 */
@Named("upload")
@ViewScoped
public class UploadPage implements Serializable {

    private static final long serialVersionUID = 1L;

    static final String TASK_TYPE = "ledger.post";
    static final Set<String> FORMATS = Set.of("text/csv", "application/json");

    @EJB
    private TaskGateway gateway;

    @Inject
    private CurrentUser user;

    /** The uploaded file of the request that checks it; not kept with the page. */
    private transient Part file;
    private String onErrors = "reject-file";
    private String fileName;
    private String checkTaskId;
    private TaskRow check;
    private ResultView report;

    /** Uploads the file and starts its check. */
    public void check() throws IOException {
        if (file == null || file.getSize() == 0) {
            Pages.error("Choose a file: a ledger file as CSV or JSON.");
            return;
        }
        if (file.getSize() > Uploads.MAX_PAYLOAD_BYTES) {
            Pages.error("The file is larger than " + Uploads.MAX_PAYLOAD_BYTES / (1024 * 1024) + " MiB.");
            return;
        }
        String mediaType = Uploads.mediaType(file.getContentType(), file.getSubmittedFileName());
        if (!FORMATS.contains(mediaType)) {
            Pages.error("The file must be CSV (.csv) or JSON (.json); this one is " + mediaType + ".");
            return;
        }
        byte[] content;
        try (InputStream in = file.getInputStream()) {
            content = Uploads.readLimited(in);
        } catch (PayloadTooLargeException e) {
            Pages.error("The file is larger than " + Uploads.MAX_PAYLOAD_BYTES / (1024 * 1024) + " MiB.");
            return;
        }
        try {
            SubmitResult submitted = gateway.submit(new Submission(TASK_TYPE, user.getName(), null, mediaType, content,
                    Map.of("checkOnly", "true", "onErrors", onErrors)));
            fileName = file.getSubmittedFileName();
            checkTaskId = submitted.task().id();
            show(submitted.task());
        } catch (TaskbridgeException e) {
            checkTaskId = null;
            check = null;
            report = null;
            Pages.refused(e);
        } finally {
            file.delete();
            file = null;
        }
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
        report = ResultView.of(task.result());
    }

    /** Posts the file that was checked, and goes to the posting's page. */
    public void post() throws IOException {
        if (!isPostable()) {
            Pages.error("This file cannot be posted as it is.");
            return;
        }
        try {
            SubmitResult posting = gateway.submitPayloadOf(checkTaskId, TASK_TYPE, user.getName(), "post-" + checkTaskId,
                    Map.of("onErrors", onErrors));
            ExternalContext external = FacesContext.getCurrentInstance().getExternalContext();
            external.redirect(external.getRequestContextPath() + "/task.xhtml?id=" + posting.task().id());
        } catch (TaskbridgeException e) {
            Pages.refused(e);
        }
    }

    /** Checked, and fit to post: valid, or with documents to post under post-valid-documents. */
    public boolean isPostable() {
        if (report == null || check == null || !check.status().equals("SUCCEEDED")) {
            return false;
        }
        if ("true".equals(report.field("valid"))) {
            return true;
        }
        return "post-valid-documents".equals(onErrors) && !"0".equals(report.field("validLineCount"));
    }

    public Part getFile() {
        return file;
    }

    public void setFile(Part file) {
        this.file = file;
    }

    public String getOnErrors() {
        return onErrors;
    }

    public void setOnErrors(String onErrors) {
        // only the two policies the form offers; anything else falls back to the safe one
        this.onErrors = "post-valid-documents".equals(onErrors) ? onErrors : "reject-file";
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

    public ResultView getReport() {
        return report;
    }
}
