package io.altocumulus.edge.lua.io;

import io.altocumulus.edge.config.NodeConfig;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code cumulus:sendMail} (CUMULUS-FEATURES §5.1) through Jakarta Mail (Angus Mail's SMTP
 * provider) on the relay of {@code smtp.host}/{@code smtp.port} (§2). Mails go one at a time on
 * one thread of their own, started on the first mail and ended after 30 s idle; at most
 * {@link IoLimits#maxQueuedMails} wait.
 */
public final class Mailer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Mailer.class);

  /**
   * @param host {@code smtp.host}
   * @param port {@code smtp.port}
   * @param timeout {@code smtp.timeout}: connect, read and write timeout of the SMTP session
   */
  public record Config(String host, int port, Duration timeout) {
    /** Cumulus's defaults: localhost:25, 60 s. */
    public static final Config DEFAULTS = new Config("localhost", 25, Duration.ofSeconds(60));

    public static Config of(NodeConfig c) {
      return new Config(c.smtpHost(), c.smtpPort(), c.smtpTimeout());
    }

    /**
     * From raw configuration keys ({@code smtp.host}, {@code smtp.port}, {@code smtp.timeout} in
     * seconds; names case-insensitive as in the INI file); a missing or bad value keeps its default.
     */
    public static Config of(java.util.Map<String, String> raw) {
      String host = DEFAULTS.host();
      int port = DEFAULTS.port();
      long timeout = DEFAULTS.timeout().toSeconds();
      for (java.util.Map.Entry<String, String> e : raw.entrySet()) {
        String k = e.getKey().toLowerCase(java.util.Locale.ROOT);
        String v = e.getValue() == null ? "" : e.getValue().trim();
        try {
          switch (k) {
            case "smtp.host" -> host = v.isEmpty() ? host : v;
            case "smtp.port" -> port = Integer.parseInt(v) >= 1 && Integer.parseInt(v) <= 65535 ? Integer.parseInt(v) : port;
            case "smtp.timeout" -> timeout = Long.parseLong(v) >= 1 ? Long.parseLong(v) : timeout;
            default -> { }
          }
        } catch (NumberFormatException ignored) {
          // NodeConfig reports bad values at start-up; keep the default here
        }
      }
      return new Config(host, port, Duration.ofSeconds(timeout));
    }
  }

  private final Config config;
  private final IoStats stats;
  private final ThreadPoolExecutor executor;

  public Mailer(Config config, IoStats stats, IoLimits limits) {
    this.config = config;
    this.stats = stats;
    executor = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(limits.maxQueuedMails()), r -> {
      Thread t = new Thread(r, "lua-mail");
      t.setDaemon(true);
      return t;
    });
    executor.allowCoreThreadTimeOut(true);
  }

  /**
   * Queues a plain-text UTF-8 mail.
   *
   * @return completes (on the mail thread, or at once for a refusal) with null when the relay
   *     took the mail, else the error text; never exceptionally
   */
  public CompletableFuture<String> send(String from, String subject, String body, List<String> to) {
    CompletableFuture<String> done = new CompletableFuture<>();
    MimeMessage m;
    try {
      m = message(from, subject, body, to);
    } catch (MessagingException | IllegalArgumentException e) {
      stats.mailsRefused.increment();
      done.complete(describe(e));
      return done;
    }
    try {
      executor.execute(new Job(m, done));
    } catch (RejectedExecutionException e) {
      stats.mailsRefused.increment();
      log.warn("Mail '{}' refused: {} mails are waiting already (or the mailer is closed)", subject, executor.getQueue().size());
      done.complete("mail queue full");
    }
    return done;
  }

  private MimeMessage message(String from, String subject, String body, List<String> to) throws MessagingException {
    if (to.isEmpty()) {
      throw new IllegalArgumentException("no recipient");
    }
    Properties p = new Properties();
    long ms = config.timeout().toMillis();
    p.setProperty("mail.smtp.host", config.host());
    p.setProperty("mail.smtp.port", Integer.toString(config.port()));
    p.setProperty("mail.smtp.connectiontimeout", Long.toString(ms));
    p.setProperty("mail.smtp.timeout", Long.toString(ms));
    p.setProperty("mail.smtp.writetimeout", Long.toString(ms));
    MimeMessage m = new MimeMessage(Session.getInstance(p));
    m.setFrom(address(from));
    InternetAddress[] rcpt = new InternetAddress[to.size()];
    for (int i = 0; i < rcpt.length; i++) {
      rcpt[i] = address(to.get(i));
    }
    m.setRecipients(Message.RecipientType.TO, rcpt);
    m.setSubject(subject == null ? "" : subject, StandardCharsets.UTF_8.name());
    m.setText(body == null ? "" : body, StandardCharsets.UTF_8.name());
    m.setSentDate(new Date());
    return m;
  }

  private static InternetAddress address(String s) throws AddressException {
    if (s == null || s.isBlank()) {
      throw new AddressException("empty address");
    }
    InternetAddress a = new InternetAddress(s.trim(), true);
    a.validate();
    return a;
  }

  private final class Job implements Runnable {
    final MimeMessage m;
    final CompletableFuture<String> done;

    Job(MimeMessage m, CompletableFuture<String> done) {
      this.m = m;
      this.done = done;
    }

    @Override
    public void run() {
      transmit(m, done);
    }
  }

  private void transmit(MimeMessage m, CompletableFuture<String> done) {
    try {
      Transport.send(m);
      stats.mailsSent.increment();
      done.complete(null);
    } catch (MessagingException | RuntimeException e) {
      stats.mailsFailed.increment();
      String err = describe(e);
      log.warn("Mail through {}:{} failed: {}", config.host(), config.port(), err);
      done.complete(err);
    }
  }

  private static String describe(Exception e) {
    StringBuilder sb = new StringBuilder(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
    Throwable c = e.getCause();
    if (c != null && c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
      sb.append(" (").append(c.getMessage()).append(')');
    }
    return sb.toString();
  }

  /** Mails not started yet complete with an error; waits up to 2 s for the one being sent. */
  @Override
  public void close() {
    for (Runnable r : executor.shutdownNow()) {
      ((Job) r).done.complete("mailer closed");
    }
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
