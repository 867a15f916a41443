package org.sipcharge.charging.infrastructure.grid;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;

import java.io.IOException;
import java.net.ServerSocket;

/** Hazelcast members on loopback for tests and benchmarks: own cluster name, fixed free ports, no discovery noise. */
public final class TestGrid {

    private TestGrid() {
    }

    /** Member {@code index} of a cluster whose members listen on {@code ports}; {@code logging} "jdk" or "none". */
    public static Config member(String cluster, int[] ports, int index, String logging) {
        Config c = new Config().setClusterName(cluster).setInstanceName(cluster + "-" + index);
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.logging.type", logging);
        c.getNetworkConfig().setPort(ports[index]).setPortAutoIncrement(false);
        c.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = c.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        for (int p : ports) {
            join.getTcpIpConfig().addMember("127.0.0.1:" + p);
        }
        return c;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
