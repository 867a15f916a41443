package org.sipcharge.simulators.broker;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueRequestor;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import org.apache.activemq.artemis.api.jms.ActiveMQJMSClient;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * One operation on one queue, through the broker's management address ({@code activemq.management}, which needs a
 * user with the {@code manage} permission: server-config's artemis.sh writes one to
 * {@code etc/sipcharge-admin.credentials}):
 * <ul>
 * <li>{@code pause} / {@code resume}: a paused queue still takes messages and only stops delivering them, so the
 * producers' side (the CDF's outbox relay) can be measured alone and the consumers drain the queue after
 * {@code resume};</li>
 * <li>{@code count}: the messages in the queue now;</li>
 * <li>{@code watch}: every {@code --interval-ms} (50) one line "epoch-millis messages-added" until killed: the
 * broker's own count of messages that reached the queue (a duplicate the broker dropped is not one), read without
 * the status page's cost in the server being measured.</li>
 * </ul>
 * Exit status 0 when the broker answered that the operation succeeded, 1 otherwise, 2 for a wrong command line.
 */
public final class QueueControl {

    static final String USAGE = "usage: java -cp sipcharge-simulators.jar " + QueueControl.class.getName()
            + " --broker tcp://HOST:PORT --user U --password P [--interval-ms 50] (pause|resume|count|watch) QUEUE";

    /** Artemis's management address and the prefix of a queue's resource name (its QueueControl). */
    private static final String MANAGEMENT_ADDRESS = "activemq.management";
    private static final String QUEUE_RESOURCE = "queue.";

    private QueueControl() {
    }

    public static void main(String[] args) throws JMSException, InterruptedException {
        String broker = null;
        String user = null;
        String password = null;
        String operation = null;
        String queue = null;
        long intervalMillis = 50;
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--") && i + 1 == args.length) {
                fail(args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--broker" -> broker = args[++i];
                case "--user" -> user = args[++i];
                case "--password" -> password = args[++i];
                case "--interval-ms" -> intervalMillis = Long.parseLong(args[++i]);
                default -> {
                    if (operation == null) {
                        operation = args[i];
                    } else if (queue == null) {
                        queue = args[i];
                    } else {
                        fail("unexpected argument " + args[i]);
                    }
                }
            }
        }
        if (broker == null || operation == null || queue == null
                || !java.util.Set.of("pause", "resume", "count", "watch").contains(operation)) {
            fail(null);
        }
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker, user, password);
             QueueConnection connection = factory.createQueueConnection()) {
            QueueSession session = connection.createQueueSession(false, Session.AUTO_ACKNOWLEDGE);
            QueueRequestor requestor = new QueueRequestor(session, ActiveMQJMSClient.createQueue(MANAGEMENT_ADDRESS));
            connection.start();
            switch (operation) {
                case "count" -> System.out.println(invoke(session, requestor, queue, "messageCount", true));
                case "watch" -> {
                    while (true) {
                        long at = System.currentTimeMillis();
                        System.out.println(at + " " + invoke(session, requestor, queue, "messagesAdded", true));
                        System.out.flush();
                        long rest = at + intervalMillis - System.currentTimeMillis();
                        if (rest > 0) {
                            Thread.sleep(rest);
                        }
                    }
                }
                default -> {
                    invoke(session, requestor, queue, operation, false);
                    System.out.println(operation + " " + queue + ": done");
                }
            }
        }
    }

    /** An attribute read or an operation without arguments; exits with status 1 when the broker refuses it. */
    private static Object invoke(QueueSession session, QueueRequestor requestor, String queue, String name,
                                 boolean attribute) throws JMSException {
        Message request = session.createMessage();
        if (attribute) {
            JMSManagementHelper.putAttribute(request, QUEUE_RESOURCE + queue, name);
        } else {
            JMSManagementHelper.putOperationInvocation(request, QUEUE_RESOURCE + queue, name);
        }
        Message reply = requestor.request(request);
        Object result;
        try {
            result = JMSManagementHelper.getResult(reply);
        } catch (Exception e) {
            result = e.toString();
        }
        if (!JMSManagementHelper.hasOperationSucceeded(reply)) {
            System.err.println(name + " on " + queue + " refused by the broker: " + result);
            System.exit(1);
        }
        return result;
    }

    private static void fail(String why) {
        if (why != null) {
            System.err.println(why);
        }
        System.err.println(USAGE);
        System.exit(2);
    }
}
