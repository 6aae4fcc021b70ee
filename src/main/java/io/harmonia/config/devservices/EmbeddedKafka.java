package io.harmonia.config.devservices;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.JMException;
import javax.management.MBeanException;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.jboss.logging.Logger;

/**
 * One embedded Apache Kafka 4 cluster per JVM for the dev and test profiles: a KRaft controller and one broker, each a
 * {@link KafkaRaftServer} in this JVM, the broker's client port fixed for the life of the JVM.
 *
 * <p>{@link #stopBroker()} shuts the broker down (its port then refuses connections; the controller stays up) and
 * {@link #startBroker()} starts it again on the same port with the same log directory, so topics, records and
 * committed offsets survive. A broker restarted within {@value #BROKER_SESSION_TIMEOUT_MS} ms of its stop waits for
 * the rest of that time: the controller does not register a new broker incarnation before the old one's session
 * expires.
 *
 * <p>Quarkus loads this class in several class loaders (augmentation, runtime, tests, dev-mode restarts), and closes
 * some of them while the JVM goes on. So the node is created once per JVM, by this class as loaded by the
 * longest-lived class loader that sees it and the broker (the system class loader under Maven Surefire, else the one
 * at hand), and published as a JMX MBean ({@value #OBJECT_NAME}) on the platform MBean server, which every class
 * loader shares. {@link #shared()} returns that node itself in its class loader and, in any other, a view that calls
 * the same operations through JMX: no class or interface of this project crosses class loaders. (System properties
 * cannot hold the node: libraries such as Narayana expect every system property to be a string.)
 *
 * <p>Only {@link EmbeddedKafkaConfigSourceFactory} starts it, in the dev and test profiles; production never loads
 * this class (the broker jars are optional dependencies, left out of the production build).
 */
public final class EmbeddedKafka {
    private static final Logger LOG = Logger.getLogger(EmbeddedKafka.class);
    static final String OBJECT_NAME = "io.harmonia:type=EmbeddedKafka";
    /** A string literal is interned JVM-wide: one monitor for every class loader. */
    private static final String LOCK = "harmonia.embedded-kafka.lock";
    private static final int CONTROLLER_ID = 1;
    private static final int BROKER_ID = 2;
    /** Short (the default is 9 s): it delays a broker restart (see above); heartbeats every 500 ms. */
    static final int BROKER_SESSION_TIMEOUT_MS = 3000;
    private static final String CLIENT_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    /** The cluster, when this class loader created it. */
    private static EmbeddedKafka node;
    /** What {@link #shared()} returns in this class loader: the node or a view on it. */
    private static EmbeddedKafka shared;

    // a view calls the node through JMX; null for the node itself
    private final ObjectName remote;
    // the node's state (unused by views)
    private final Path baseDir;
    private final boolean deleteOnClose;
    private final int port;
    private final int controllerPort;
    private KafkaRaftServer controller;
    private KafkaRaftServer broker;

    private EmbeddedKafka(ObjectName remote) {
        this.remote = remote;
        this.baseDir = null;
        this.deleteOnClose = false;
        this.port = -1;
        this.controllerPort = -1;
    }

    private EmbeddedKafka(Path baseDir, boolean deleteOnClose, int port, int controllerPort) {
        this.remote = null;
        this.baseDir = baseDir;
        this.deleteOnClose = deleteOnClose;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /**
     * Runs a standalone broker until the process is stopped, for local benchmarks of the packaged service:
     * {@code bench/service.sh} starts it with a port. Not used by the service itself.
     */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 29092;
        EmbeddedKafka kafka = shared("bench", null, port);
        org.jboss.logging.Logger.getLogger(EmbeddedKafka.class).infof("Kafka broker ready on %s",
                kafka.bootstrapServers());
        Thread.currentThread().join();
    }

    /** The node of this JVM; starts one (test profile settings: temporary data, free port) if none runs yet. */
    public static synchronized EmbeddedKafka shared() {
        return shared("test", null, 0);
    }

    /**
     * The node of this JVM, started with these settings if none runs yet.
     *
     * @param profile {@code dev} keeps its data in {@code dataDir} (default {@code target/harmonia-dev-kafka});
     *     any other profile uses a temporary directory deleted when the JVM exits
     * @param port the client port, or {@code 0} for a free port chosen now and kept for the life of the JVM
     */
    static synchronized EmbeddedKafka shared(String profile, String dataDir, int port) {
        if (shared == null) {
            synchronized (LOCK) {
                if (node == null && !mbeanServer().isRegistered(objectName())) {
                    launchInHomeClassLoader(profile, dataDir, port);
                }
                shared = node != null ? node : new EmbeddedKafka(objectName());
            }
        }
        return shared;
    }

    private static void launchInHomeClassLoader(String profile, String dataDir, int port) {
        ClassLoader home = homeClassLoader();
        if (home == EmbeddedKafka.class.getClassLoader()) {
            launch(profile, dataDir, port);
            return;
        }
        try {
            var launch = Class.forName(EmbeddedKafka.class.getName(), true, home)
                    .getDeclaredMethod("launch", String.class, String.class, int.class);
            launch.setAccessible(true);
            launch.invoke(null, profile, dataDir, port);
        } catch (InvocationTargetException e) {
            throw unchecked(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("could not start the embedded Kafka in " + home, e);
        }
    }

    /**
     * The system class loader when it sees this class and the broker (tests under Surefire): it lives as long as the
     * JVM, unlike Quarkus's class loaders, so the broker's threads can always load classes. Otherwise (dev mode) the
     * class loader of this class.
     */
    private static ClassLoader homeClassLoader() {
        ClassLoader system = ClassLoader.getSystemClassLoader();
        try {
            Class.forName(KafkaRaftServer.class.getName(), false, system);
            Class.forName(EmbeddedKafka.class.getName(), false, system);
            return system;
        } catch (ClassNotFoundException | LinkageError e) {
            return EmbeddedKafka.class.getClassLoader();
        }
    }

    /** Creates, starts and publishes the node; called in its home class loader, under {@link #LOCK}. */
    private static void launch(String profile, String dataDir, int requestedPort) {
        long start = System.nanoTime();
        boolean temporary = !"dev".equals(profile);
        Path base;
        try {
            if (temporary) {
                base = Files.createTempDirectory("harmonia-kafka-");
            } else {
                base = Path.of(dataDir == null || dataDir.isBlank() ? "target/harmonia-dev-kafka" : dataDir)
                        .toAbsolutePath();
                Files.createDirectories(base);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the embedded Kafka's data directory", e);
        }
        int port = requestedPort > 0 ? requestedPort : freePort(-1);
        EmbeddedKafka kafka = new EmbeddedKafka(base, temporary, port, freePort(port));
        // a fatal broker error must not end the JVM that runs the application or the tests: fail the broker's
        // operation instead (this Exit is the broker's copy: the application's Kafka clients have their own)
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalStateException("the embedded Kafka asked to exit the JVM (status " + status
                    + ", ignored): " + message);
        });
        Exit.setHaltProcedure((status, message) -> {
            throw new IllegalStateException("the embedded Kafka asked to halt the JVM (status " + status
                    + ", ignored): " + message);
        });
        try {
            kafka.format();
            kafka.controller = start(kafka.controllerProperties());
            kafka.broker = start(kafka.brokerProperties()); // returns once the broker is unfenced: ready for clients
            mbeanServer().registerMBean(new Control(kafka), objectName());
        } catch (JMException | RuntimeException | Error e) {
            kafka.close();
            throw new IllegalStateException("could not start the embedded Kafka for the " + profile + " profile; set "
                    + EmbeddedKafkaConfigSourceFactory.ENV_BOOTSTRAP_SERVERS + " to use an external one", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "harmonia-embedded-kafka-stop"));
        node = kafka;
        LOG.debugf("The embedded Kafka runs in the class loader %s", EmbeddedKafka.class.getClassLoader());
        LOG.infof("Harmonia started an embedded Kafka (KRaft) for the %s profile on %s (%d ms, data in %s)", profile,
                kafka.bootstrapServers(), (System.nanoTime() - start) / 1_000_000, base);
    }

    /** {@code localhost:<port>}; the same for the life of the JVM, whether the broker runs or not. */
    public String bootstrapServers() {
        return remote != null ? (String) call("bootstrapServers") : "localhost:" + port;
    }

    /** The client port; the same for the life of the JVM. */
    public int port() {
        return remote != null ? (Integer) call("port") : port;
    }

    public boolean isBrokerRunning() {
        if (remote != null) {
            return (Boolean) call("isBrokerRunning");
        }
        synchronized (LOCK) {
            return broker != null;
        }
    }

    /**
     * Shuts the broker down and returns once it is down: its port refuses connections until {@link #startBroker()}.
     * Does nothing when it is stopped.
     */
    public void stopBroker() {
        if (remote != null) {
            call("stopBroker");
            return;
        }
        synchronized (LOCK) {
            if (broker == null) {
                return;
            }
            long start = System.nanoTime();
            try {
                stop(broker);
            } finally {
                broker = null;
            }
            LOG.infof("Stopped the embedded Kafka broker on %s (%d ms)", bootstrapServers(),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    /**
     * Starts the broker on the same port with the same log directory (topics and records survive) and returns once
     * it is ready for clients. Does nothing when it runs.
     */
    public void startBroker() {
        if (remote != null) {
            call("startBroker");
            return;
        }
        synchronized (LOCK) {
            if (broker != null) {
                return;
            }
            long start = System.nanoTime();
            broker = start(brokerProperties()); // returns once the broker is unfenced: ready for clients
            LOG.infof("Started the embedded Kafka broker on %s (%d ms)", bootstrapServers(),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    private static KafkaRaftServer start(Properties properties) {
        ClassLoader caller = useOwnClassLoader();
        try {
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
            try {
                server.startup();
            } catch (RuntimeException | Error e) {
                server.shutdown();
                server.awaitShutdown();
                throw e;
            }
            return server;
        } finally {
            Thread.currentThread().setContextClassLoader(caller);
        }
    }

    private static void stop(KafkaRaftServer server) {
        ClassLoader caller = useOwnClassLoader();
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            Thread.currentThread().setContextClassLoader(caller);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + "]";
    }

    private Properties controllerProperties() {
        Properties p = commonProperties(CONTROLLER_ID, "controller");
        p.put("process.roles", "controller");
        p.put("listeners", CONTROLLER_LISTENER + "://localhost:" + controllerPort);
        return p;
    }

    private Properties brokerProperties() {
        Properties p = commonProperties(BROKER_ID, "broker");
        p.put("process.roles", "broker");
        p.put("listeners", CLIENT_LISTENER + "://localhost:" + port);
        p.put("advertised.listeners", CLIENT_LISTENER + "://localhost:" + port);
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("auto.create.topics.enable", "true");
        p.put("num.partitions", "3");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // a small footprint: a dev or test broker serves little traffic
        p.put("num.io.threads", "4");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        return p;
    }

    private Properties commonProperties(int nodeId, String dir) {
        Properties p = new Properties();
        p.put("node.id", String.valueOf(nodeId));
        p.put("controller.quorum.voters", CONTROLLER_ID + "@localhost:" + controllerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listener.security.protocol.map", CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("log.dirs", baseDir.resolve(dir).toString());
        p.put("broker.session.timeout.ms", String.valueOf(BROKER_SESSION_TIMEOUT_MS)); // enforced by the controller
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("num.network.threads", "2");
        p.put("background.threads", "2");
        return p;
    }

    /**
     * Formats the log directories of the controller and the broker; directories already formatted (by a dev session
     * before) are kept as they are.
     */
    private void format() {
        ClassLoader caller = useOwnClassLoader();
        try {
            String clusterId = existingClusterId().orElseGet(() -> Uuid.randomUuid().toString());
            format(CONTROLLER_ID, baseDir.resolve("controller"), clusterId);
            format(BROKER_ID, baseDir.resolve("broker"), clusterId);
        } finally {
            Thread.currentThread().setContextClassLoader(caller);
        }
    }

    private static void format(int nodeId, Path dir, String clusterId) {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(nodeId)
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(dir.toString())
                    .addDirectory(dir.toString())
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("could not format the embedded Kafka's log directory " + dir, e);
        }
    }

    /** The cluster id of directories formatted before, so that both nodes agree when only one was formatted. */
    private Optional<String> existingClusterId() {
        for (String dir : List.of("controller", "broker")) {
            Path meta = baseDir.resolve(dir).resolve("meta.properties");
            if (Files.isRegularFile(meta)) {
                Properties p = new Properties();
                try (var in = Files.newInputStream(meta)) {
                    p.load(in);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (p.getProperty("cluster.id") != null) {
                    return Optional.of(p.getProperty("cluster.id"));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Kafka instantiates plugins (metrics reporters, ...) through the thread context class loader, and the threads it
     * starts inherit it: it must be this class's loader, not the caller's (a Quarkus class loader with its own copy
     * of kafka-clients). Returns the caller's, to restore.
     */
    private static ClassLoader useOwnClassLoader() {
        ClassLoader caller = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(EmbeddedKafka.class.getClassLoader());
        return caller;
    }

    private void close() {
        try {
            stopBroker();
            synchronized (LOCK) {
                if (controller != null) {
                    stop(controller);
                    controller = null;
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("could not stop the embedded Kafka", e);
        }
        if (deleteOnClose) {
            try (Stream<Path> files = Files.walk(baseDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // the JVM is exiting; a leftover temporary directory is harmless
            }
        }
    }

    /**
     * A free port below the usual ephemeral range (32768 and up), so that no outgoing connection takes it while the
     * broker is stopped.
     */
    private static int freePort(int except) {
        for (int i = 0; i < 200; i++) {
            int candidate = ThreadLocalRandom.current().nextInt(20_000, 32_000);
            if (candidate != except && bindable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free port for the embedded Kafka");
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("localhost", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static MBeanServer mbeanServer() {
        return ManagementFactory.getPlatformMBeanServer();
    }

    private static ObjectName objectName() {
        try {
            return new ObjectName(OBJECT_NAME);
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    private Object call(String operation) {
        try {
            return mbeanServer().invoke(remote, operation, new Object[0], new String[0]);
        } catch (MBeanException | ReflectionException e) {
            throw unchecked(e.getCause());
        } catch (JMException e) {
            throw new IllegalStateException("could not call " + operation + " on the embedded Kafka", e);
        }
    }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** The node's operations on the platform MBean server, in JDK types only. */
    private static final class Control implements DynamicMBean {
        private static final String[] OPERATIONS = {"bootstrapServers", "port", "isBrokerRunning", "stopBroker",
            "startBroker"};
        private static final String[] TYPES = {"java.lang.String", "java.lang.Integer", "java.lang.Boolean", "void",
            "void"};
        private final EmbeddedKafka kafka;

        Control(EmbeddedKafka kafka) {
            this.kafka = kafka;
        }

        @Override
        public Object invoke(String operation, Object[] params, String[] signature)
                throws MBeanException, ReflectionException {
            try {
                switch (operation) {
                    case "bootstrapServers":
                        return kafka.bootstrapServers();
                    case "port":
                        return kafka.port();
                    case "isBrokerRunning":
                        return kafka.isBrokerRunning();
                    case "stopBroker":
                        kafka.stopBroker();
                        return null;
                    case "startBroker":
                        kafka.startBroker();
                        return null;
                    default:
                        throw new ReflectionException(new NoSuchMethodException(operation));
                }
            } catch (RuntimeException e) {
                throw new MBeanException(e, e.getMessage());
            }
        }

        @Override
        public MBeanInfo getMBeanInfo() {
            MBeanOperationInfo[] operations = new MBeanOperationInfo[OPERATIONS.length];
            for (int i = 0; i < OPERATIONS.length; i++) {
                operations[i] = new MBeanOperationInfo(OPERATIONS[i], OPERATIONS[i], new MBeanParameterInfo[0],
                        TYPES[i], TYPES[i].equals("void") ? MBeanOperationInfo.ACTION : MBeanOperationInfo.INFO);
            }
            return new MBeanInfo(Control.class.getName(), "Harmonia's embedded Kafka", null, null, operations, null);
        }

        @Override
        public Object getAttribute(String attribute) throws AttributeNotFoundException {
            throw new AttributeNotFoundException(attribute);
        }

        @Override
        public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
            throw new AttributeNotFoundException(attribute.getName());
        }

        @Override
        public AttributeList getAttributes(String[] attributes) {
            return new AttributeList();
        }

        @Override
        public AttributeList setAttributes(AttributeList attributes) {
            return new AttributeList();
        }
    }
}
