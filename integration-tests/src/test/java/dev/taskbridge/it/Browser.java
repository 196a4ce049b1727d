package dev.taskbridge.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real browser: Debian's Chromium, headless, driven through Debian's chromedriver. Both are
 * named explicitly, so Selenium never tries to download a driver (the machine has no network
 * beyond its package mirrors). Each browser has a fresh profile; screenshots go to
 * {@code target/screenshots}.
 */
final class Browser implements AutoCloseable {

    static final String BASE = "http://127.0.0.1:8080/taskbridge";
    static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path SCREENSHOTS = Path.of(System.getProperty("taskbridge.ear")).getParent().resolve("screenshots");

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    static Browser open() throws IOException {
        Path profile = Files.createTempDirectory("taskbridge-chromium-");
        ChromeOptions options = new ChromeOptions()
                .setBinary(System.getProperty("taskbridge.chromium", "/usr/bin/chromium"))
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(System.getProperty("taskbridge.chromedriver", "/usr/bin/chromedriver")).toFile())
                .build();
        Path downloads = Files.createDirectories(profile.resolve("downloads"));
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        ChromeDriver driver = new ChromeDriver(service, options);
        // headless Chromium saves downloads only when told where
        driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath", downloads.toString()));
        return new Browser(driver, profile);
    }

    /** A file the browser saved. */
    record Download(String name, byte[] content) {
    }

    /** Clicks a download link and waits for the one file the browser saves, under the name the server gave it. */
    Download download(By link) throws IOException {
        Path downloads = profile.resolve("downloads");
        driver.findElement(link).click();
        Path[] saved = new Path[1];
        waitUntil(any -> {
            try (var files = Files.list(downloads)) {
                List<Path> all = files.toList();
                // Chromium writes to a .crdownload first and renames it when the file is whole
                saved[0] = all.size() == 1 && !all.get(0).toString().endsWith(".crdownload") ? all.get(0) : null;
                return saved[0] != null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return new Download(saved[0].getFileName().toString(), Files.readAllBytes(saved[0]));
    }

    ChromeDriver driver() {
        return driver;
    }

    /** Logs in on the login page as a demo user (password = user name). */
    Browser logIn(String user) {
        driver.get(BASE + "/login.xhtml");
        driver.findElement(By.id("login:username")).sendKeys(user);
        driver.findElement(By.id("login:password")).sendKeys(user);
        driver.findElement(By.id("login:submit")).click();
        waitFor(By.id("user-name"));
        return this;
    }

    void go(String page) {
        driver.get(BASE + page);
    }

    WebElement waitFor(By locator) {
        return until(new WebDriverWait(driver, WAIT), ExpectedConditions.visibilityOfElementLocated(locator));
    }

    /**
     * Waits until the element shows {@code text}. The page may replace the element while it is read
     * (a form posted again renders its messages anew): Chromium then answers "Node with given id does
     * not belong to the document" rather than a stale element, and the next check looks it up again.
     */
    void waitForText(By locator, String text) {
        waitUntil(d -> {
            try {
                return d.findElement(locator).getText().contains(text);
            } catch (NoSuchElementException absent) {
                return false;
            } catch (WebDriverException replaced) {
                if (replaced.getMessage() != null && replaced.getMessage().contains("does not belong to the document")) {
                    return false;
                }
                throw replaced;
            }
        });
    }

    /**
     * Checks every 50 ms: often enough to see each step of a page that changes live. An element
     * the page re-rendered (Faces Ajax replaces it when a task ends) is looked up again on the next check.
     */
    void waitUntil(Function<ChromeDriver, Boolean> condition) {
        WebDriverWait wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(50));
        wait.ignoring(StaleElementReferenceException.class);
        until(wait, d -> condition.apply(driver));
    }

    /** Waits; when the page never gets there, keeps what it showed (screenshot and HTML) for whoever reads the failure. */
    private <T> T until(WebDriverWait wait, Function<? super org.openqa.selenium.WebDriver, T> condition) {
        try {
            return wait.until(condition);
        } catch (TimeoutException e) {
            String name = "failed-" + System.currentTimeMillis();
            screenshot(name);
            try {
                Files.writeString(SCREENSHOTS.resolve(name + ".html"), driver.getCurrentUrl() + "\n" + driver.getPageSource());
            } catch (IOException io) {
                e.addSuppressed(io);
            }
            throw new TimeoutException(e.getMessage() + " (page kept as target/screenshots/" + name + ".png and .html)", e);
        }
    }

    Object script(String javascript) {
        return ((JavascriptExecutor) driver).executeScript(javascript);
    }

    String text(By locator) {
        return driver.findElement(locator).getText();
    }

    /** Saves what the browser shows as {@code target/screenshots/<name>.png}. */
    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            ServerProcess.deleteRecursively(profile);
        }
    }
}
