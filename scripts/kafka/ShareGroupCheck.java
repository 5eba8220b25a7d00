// Proves that share groups (KIP-932, "queues for Kafka") work on a running broker: creates a topic,
// produces records, and has two KafkaShareConsumers of one share group receive and acknowledge
// every record between them. Needs kafka-clients 4.2 or newer on the class path (the broker's own
// jars in .cache/kafka/<version>/lib). Run through `npm run kafka:share-check`, which starts it as a
// single-file Java program:
//   java -cp '.cache/kafka/<version>/lib/*' scripts/kafka/ShareGroupCheck.java 127.0.0.1:9092
// Exits 0 and prints one "share groups work" line, or exits 1 saying what failed.
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class ShareGroupCheck {
  private static final int RECORDS = 20;

  public static void main(String[] args) throws Exception {
    String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
    String suffix = Long.toString(System.currentTimeMillis());
    String topic = "handoff-share-check-" + suffix;
    String group = "handoff-share-check-" + suffix;
    Properties common = new Properties();
    common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);

    try (Admin admin = Admin.create(common)) {
      FinalizedVersionRange share = admin.describeFeatures().featureMetadata().get().finalizedFeatures().get("share.version");
      if (share == null || share.maxVersionLevel() < 1) {
        fail("the broker has not finalized share.version >= 1 (share groups are off): " + share);
      }
      System.out.println("share.version finalized at level " + share.maxVersionLevel());
      admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
      // A new share group starts at the latest offset; this one must see records produced before it joins.
      ConfigResource groupResource = new ConfigResource(ConfigResource.Type.GROUP, group);
      AlterConfigOp earliest = new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET);
      admin.incrementalAlterConfigs(Map.of(groupResource, List.of(earliest))).all().get();
    }

    Properties producerProps = new Properties();
    producerProps.putAll(common);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < RECORDS; i++) producer.send(new ProducerRecord<>(topic, "k" + i, "record-" + i)).get();
    }

    Properties consumerProps = new Properties();
    consumerProps.putAll(common);
    consumerProps.put("group.id", group);
    Set<String> received = new HashSet<>();
    int[] perConsumer = new int[2];
    try (KafkaShareConsumer<String, String> first = new KafkaShareConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer());
         KafkaShareConsumer<String, String> second = new KafkaShareConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
      List<KafkaShareConsumer<String, String>> consumers = List.of(first, second);
      for (KafkaShareConsumer<String, String> consumer : consumers) consumer.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 60_000;
      while (received.size() < RECORDS && System.currentTimeMillis() < deadline) {
        for (int c = 0; c < consumers.size(); c++) {
          Collection<ConsumerRecord<String, String>> batch = poll(consumers.get(c));
          for (ConsumerRecord<String, String> record : batch) {
            received.add(record.value());
            perConsumer[c]++;
          }
          // Implicit acknowledgement: the records of the last poll count as accepted once committed.
          consumers.get(c).commitSync();
        }
      }
    }
    if (received.size() < RECORDS) fail("the share group received " + received.size() + " of " + RECORDS + " records within 60 s");
    System.out.println("share groups work: group " + group + " received all " + RECORDS + " records of " + topic
        + " (consumer 1: " + perConsumer[0] + ", consumer 2: " + perConsumer[1] + ")");
  }

  private static Collection<ConsumerRecord<String, String>> poll(KafkaShareConsumer<String, String> consumer) {
    List<ConsumerRecord<String, String>> records = new java.util.ArrayList<>();
    consumer.poll(Duration.ofMillis(500)).forEach(records::add);
    return records;
  }

  private static void fail(String message) {
    System.err.println("share group check failed: " + message);
    System.exit(1);
  }
}
