package dev.handoff.bench;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The makespan benchmark's Kafka share-group peer (bench/README.md, scenario 1): 16 KafkaShareConsumers
 * in one share group on a 1-partition topic, each running the jobs it gets at its speed (consumer i is
 * {@code slowdown}× slower when i % 4 == 3, as in bench/scenarios/makespan.ts) and acknowledging ACCEPT
 * after each job (explicit acknowledgement).
 *
 * <p>Usage: {@code ShareGroupMakespan --brokers host:port --jobs FILE --setting defaults|record-limit
 * [--consumers 16] [--slowdown 5] [--deadline-ms N] [--settle-ms 60000]}. FILE holds one job per line,
 * "n durationMs", n = 0, 1, …: the TypeScript scenario writes it from its seeded job list.
 *
 * <p>Once all consumers hold the partition, the program produces every job at once (t0) and prints one
 * JSON line per event on stdout: {@code settled}, {@code start}, one {@code job} per delivery (start and
 * end in ms after t0), {@code done} with counts, or {@code unsupported} when the broker has no share
 * groups. The scenario computes makespan and idle time from the {@code job} lines with the same code as
 * its other variants. Logs (slf4j-simple, WARN) go to stderr.
 */
public final class ShareGroupMakespan {
  private ShareGroupMakespan() {}

  /** Settings as named on the command line and in the benchmark's results. */
  enum Setting {
    /** The share consumer's defaults (share.acquire.mode batch_optimized, max.poll.records 500). */
    DEFAULTS("defaults"),
    /** share.acquire.mode=record_limit with max.poll.records=1: at most one record acquired per poll. */
    RECORD_LIMIT("record-limit");

    final String label;

    Setting(String label) {
      this.label = label;
    }

    static Setting parse(String label) {
      for (Setting setting : values()) if (setting.label.equals(label)) return setting;
      throw new IllegalArgumentException("--setting must be defaults or record-limit, not " + label);
    }
  }

  record Options(String brokers, Path jobsFile, Setting setting, int consumers, int slowdown, long deadlineMs, long settleMs) {
    static Options parse(String[] args) {
      Map<String, String> values = new HashMap<>();
      for (int i = 0; i < args.length; i += 2) {
        if (!args[i].startsWith("--") || i + 1 >= args.length) throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
        values.put(args[i].substring(2), args[i + 1]);
      }
      String brokers = values.get("brokers");
      String jobs = values.get("jobs");
      if (brokers == null || jobs == null) throw new IllegalArgumentException("--brokers and --jobs are required");
      return new Options(
          brokers,
          Path.of(jobs),
          Setting.parse(values.getOrDefault("setting", "defaults")),
          Integer.parseInt(values.getOrDefault("consumers", "16")),
          Integer.parseInt(values.getOrDefault("slowdown", "5")),
          Long.parseLong(values.getOrDefault("deadline-ms", "600000")),
          Long.parseLong(values.getOrDefault("settle-ms", "60000")));
    }
  }

  /** stdout carries only the JSON lines, through one synchronized writer so 16 threads never interleave. */
  private static final PrintStream OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);

  static synchronized void emit(String json) {
    OUT.println(json);
    OUT.flush();
  }

  static String quote(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') quoted.append('\\').append(c);
      else if (c < 0x20) quoted.append(String.format("\\u%04x", (int) c));
      else quoted.append(c);
    }
    return quoted.append('"').toString();
  }

  static String describe(Throwable error) {
    Throwable cause = error instanceof ExecutionException && error.getCause() != null ? error.getCause() : error;
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  static int[] readJobs(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(line -> !line.isBlank()).toList();
    int[] durations = new int[lines.size()];
    for (String line : lines) {
      String[] fields = line.trim().split("\\s+");
      durations[Integer.parseInt(fields[0])] = Integer.parseInt(fields[1]);
    }
    return durations;
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    System.exit(run(options, readJobs(options.jobsFile())));
  }

  /** What the consumers saw, for the done line: how the share group handed records out. */
  static final class Counters {
    final AtomicLong polls = new AtomicLong();
    final AtomicLong recordsPolled = new AtomicLong();
    final AtomicLong maxRecordsPerPoll = new AtomicLong();
    final AtomicLong redeliveries = new AtomicLong();
    final AtomicLong ackFailures = new AtomicLong();
    final Set<String> ackFailureTypes = new ConcurrentSkipListSet<>();
  }

  static int run(Options options, int[] jobs) throws Exception {
    Properties adminProperties = new Properties();
    adminProperties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.brokers());
    try (Admin admin = Admin.create(adminProperties)) {
      FinalizedVersionRange share = admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS).finalizedFeatures().get("share.version");
      if (share == null || share.maxVersionLevel() < 1) {
        emit("{\"event\":\"unsupported\",\"reason\":" + quote("the broker has share.version " + (share == null ? "unset" : share.maxVersionLevel()) + ": no share groups") + "}");
        return 3;
      }
      byte[] random = new byte[4];
      new SecureRandom().nextBytes(random);
      String suffix = HexFormat.of().formatHex(random);
      String topic = "bench-sharegroup-" + suffix;
      String group = topic + "-group";
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      try {
        // A group config, set before any member joins: the share-partition then starts at the log's
        // start, so nothing produced before a consumer's first fetch is skipped (the default is latest).
        ConfigResource groupResource = new ConfigResource(ConfigResource.Type.GROUP, group);
        AlterConfigOp earliest = new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET);
        admin.incrementalAlterConfigs(Map.of(groupResource, List.of(earliest))).all().get(30, TimeUnit.SECONDS);
        return runGroup(options, jobs, admin, topic, group);
      } finally {
        cleanUp(admin, topic, group);
      }
    }
  }

  static int runGroup(Options options, int[] jobs, Admin admin, String topic, String group) throws Exception {
    Counters counters = new Counters();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicIntegerArray finished = new AtomicIntegerArray(jobs.length);
    CountDownLatch remaining = new CountDownLatch(jobs.length);
    AtomicLong t0 = new AtomicLong(Long.MIN_VALUE);
    List<KafkaShareConsumer<String, String>> consumers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();

    for (int index = 0; index < options.consumers(); index++) {
      Properties properties = new Properties();
      properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.brokers());
      properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-share-" + index);
      properties.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
      if (options.setting() == Setting.RECORD_LIMIT) {
        properties.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
      }
      KafkaShareConsumer<String, String> consumer = new KafkaShareConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
      consumer.setAcknowledgementCommitCallback((offsets, exception) -> {
        // A record whose acquisition lock expired while its job ran was handed to another consumer:
        // accepting it here fails. Counted, and reported in the done line.
        if (exception == null) return;
        counters.ackFailures.addAndGet(offsets.values().stream().mapToLong(Set::size).sum());
        counters.ackFailureTypes.add(exception.getClass().getSimpleName());
      });
      int consumerIndex = index;
      long speed = index % 4 == 3 ? options.slowdown() : 1;
      Thread thread = new Thread(() -> {
        try {
          consumer.subscribe(List.of(topic));
          while (running.get()) {
            ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(1));
            if (records.isEmpty()) continue;
            counters.polls.incrementAndGet();
            counters.recordsPolled.addAndGet(records.count());
            counters.maxRecordsPerPoll.accumulateAndGet(records.count(), Math::max);
            int left = records.count();
            for (ConsumerRecord<String, String> record : records) {
              left -= 1;
              // Past the deadline, the rest of a batch stays unacknowledged: close() releases it.
              if (!running.get()) break;
              int n = Integer.parseInt(record.value());
              int delivery = record.deliveryCount().map(Short::intValue).orElse(1);
              if (delivery > 1) counters.redeliveries.incrementAndGet();
              double start = (System.nanoTime() - t0.get()) / 1e6;
              Thread.sleep(jobs[n] * speed);
              double end = (System.nanoTime() - t0.get()) / 1e6;
              consumer.acknowledge(record, AcknowledgeType.ACCEPT);
              // The next poll carries the acknowledgement; mid-batch there is no next poll for a while,
              // so send it now: the broker learns of each finished job when it finishes.
              if (left > 0) consumer.commitAsync();
              emit(String.format("{\"event\":\"job\",\"n\":%d,\"consumer\":%d,\"startMs\":%.3f,\"endMs\":%.3f,\"delivery\":%d}", n, consumerIndex, start, end, delivery));
              if (finished.compareAndSet(n, 0, 1)) remaining.countDown();
            }
          }
        } catch (WakeupException stop) {
          // wakeup() is how main stops a consumer blocked in poll(); anything else is a failure.
          if (running.get()) fail(failures, consumerIndex, stop);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          fail(failures, consumerIndex, interrupted);
        } catch (RuntimeException error) {
          fail(failures, consumerIndex, error);
        } finally {
          consumer.close(Duration.ofSeconds(5));
        }
      }, "share-consumer-" + index);
      consumers.add(consumer);
      threads.add(thread);
    }
    threads.forEach(Thread::start);

    // Measured once every consumer is a member holding the partition, as the consumer-group variant is
    // measured once its group has settled.
    TopicPartition partition = new TopicPartition(topic, 0);
    long settleStarted = System.nanoTime();
    long settleBy = settleStarted + TimeUnit.MILLISECONDS.toNanos(options.settleMs());
    int members = 0;
    long assigned = 0;
    while (System.nanoTime() < settleBy) {
      try {
        ShareGroupDescription description = admin.describeShareGroups(List.of(group)).describedGroups().get(group).get(10, TimeUnit.SECONDS);
        members = description.members().size();
        assigned = description.members().stream().filter(member -> member.assignment().topicPartitions().contains(partition)).count();
        if (members == options.consumers() && assigned == options.consumers()) break;
      } catch (ExecutionException error) {
        // Until the first member's heartbeat reaches the coordinator the group does not exist yet.
        if (!(error.getCause() instanceof GroupIdNotFoundException)) throw error;
      }
      Thread.sleep(100);
    }
    boolean settled = members == options.consumers() && assigned == options.consumers();
    emit(String.format("{\"event\":\"settled\",\"settled\":%b,\"members\":%d,\"assigned\":%d,\"settleMs\":%d}", settled, members, assigned, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - settleStarted)));
    Thread.sleep(500);

    Properties producerProperties = new Properties();
    producerProperties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.brokers());
    boolean allDone;
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties, new StringSerializer(), new StringSerializer())) {
      // Metadata before t0: the consumer group's producer is connected before its t0 too.
      producer.partitionsFor(topic);
      t0.set(System.nanoTime());
      emit("{\"event\":\"start\"}");
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      for (int n = 0; n < jobs.length; n++) sends.add(producer.send(new ProducerRecord<>(topic, 0, null, String.valueOf(n))));
      producer.flush();
      for (Future<RecordMetadata> send : sends) send.get();
      long left = options.deadlineMs() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0.get());
      allDone = remaining.await(Math.max(0, left), TimeUnit.MILLISECONDS);
    }

    running.set(false);
    consumers.forEach(KafkaShareConsumer::wakeup);
    for (Thread thread : threads) thread.join(TimeUnit.SECONDS.toMillis(30));
    int completed = 0;
    for (int n = 0; n < jobs.length; n++) completed += finished.get(n);
    emit(String.format(
        "{\"event\":\"done\",\"allDone\":%b,\"completed\":%d,\"settled\":%b,\"polls\":%d,\"recordsPolled\":%d,\"maxRecordsPerPoll\":%d,\"redeliveries\":%d,\"ackFailures\":%d,\"ackFailureTypes\":[%s],\"failures\":%d}",
        allDone, completed, settled, counters.polls.get(), counters.recordsPolled.get(), counters.maxRecordsPerPoll.get(), counters.redeliveries.get(), counters.ackFailures.get(),
        String.join(",", new TreeSet<>(counters.ackFailureTypes).stream().map(ShareGroupMakespan::quote).toList()), failures.size()));
    return failures.isEmpty() ? 0 : 1;
  }

  static void fail(List<Throwable> failures, int consumer, Throwable error) {
    synchronized (failures) {
      failures.add(error);
    }
    emit("{\"event\":\"error\",\"consumer\":" + consumer + ",\"error\":" + quote(describe(error)) + "}");
  }

  /** Deletes the group and the topic; a failure is reported (a warning line), not fatal to the results. */
  static void cleanUp(Admin admin, String topic, String group) {
    try {
      admin.deleteShareGroups(List.of(group)).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException error) {
      emit("{\"event\":\"warning\",\"message\":" + quote("could not delete share group " + group + ": " + describe(error)) + "}");
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException error) {
      emit("{\"event\":\"warning\",\"message\":" + quote("could not delete topic " + topic + ": " + describe(error)) + "}");
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
