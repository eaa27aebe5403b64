package io.altocumulus.cluster.admin.cli;

import io.altocumulus.proto.cluster.v1.AdminGrpc;
import io.altocumulus.proto.cluster.v1.ListNodesRequest;
import io.altocumulus.proto.cluster.v1.NodeInfo;
import io.altocumulus.proto.cluster.v1.NodeRequest;
import io.altocumulus.proto.cluster.v1.NodeResponse;
import io.altocumulus.proto.cluster.v1.Role;
import io.altocumulus.proto.cluster.v1.SetWeightRequest;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.File;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code altocumulus-admin}: lists the cluster's nodes and drains, undrains or re-weights one,
 * through the Admin gRPC service of any node (which forwards to the node named).
 */
@Command(name = "altocumulus-admin", mixinStandardHelpOptions = true, version = "altocumulus-admin 0.1",
    description = "Operate an Altocumulus cluster through any node's Admin service.",
    subcommands = {AdminCli.Nodes.class, AdminCli.Drain.class, AdminCli.Undrain.class, AdminCli.Weight.class})
public final class AdminCli {
  @Option(names = {"-t", "--target"}, defaultValue = "127.0.0.1:7935",
      description = "gRPC address of any node (default: ${DEFAULT-VALUE})", scope = CommandLine.ScopeType.INHERIT)
  String target;

  @Option(names = "--cert", description = "client certificate chain (PEM), for mutual TLS", scope = CommandLine.ScopeType.INHERIT)
  File cert;

  @Option(names = "--key", description = "client private key (PKCS#8 PEM)", scope = CommandLine.ScopeType.INHERIT)
  File key;

  @Option(names = "--ca", description = "cluster CA (PEM)", scope = CommandLine.ScopeType.INHERIT)
  File ca;

  @Option(names = "--timeout", defaultValue = "5", description = "seconds per call (default: ${DEFAULT-VALUE})",
      scope = CommandLine.ScopeType.INHERIT)
  int timeoutSeconds;

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs a command line; returns the exit code (0 ok, 1 the call failed, 2 bad usage). */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new AdminCli());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof StatusRuntimeException s) {
        line.getErr().println("error: " + s.getStatus().getCode() + ": " + s.getStatus().getDescription());
        return 1;
      }
      throw e;
    });
    return cl.execute(args);
  }

  ManagedChannel channel() throws Exception {
    ChannelCredentials creds;
    if (cert != null || key != null || ca != null) {
      if (cert == null || key == null || ca == null) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--cert, --key and --ca go together");
      }
      creds = TlsChannelCredentials.newBuilder().keyManager(cert, key).trustManager(ca).build();
    } else {
      creds = InsecureChannelCredentials.create();
    }
    return Grpc.newChannelBuilder(target, creds).build();
  }

  abstract static class Call implements Callable<Integer> {
    @CommandLine.ParentCommand
    AdminCli parent;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ManagedChannel ch = parent.channel();
      try {
        run(AdminGrpc.newBlockingStub(ch).withDeadlineAfter(parent.timeoutSeconds, TimeUnit.SECONDS),
            spec.commandLine().getOut());
        return 0;
      } finally {
        ch.shutdownNow();
      }
    }

    abstract void run(AdminGrpc.AdminBlockingStub admin, PrintWriter out);
  }

  @Command(name = "nodes", description = "List the registered nodes.")
  static final class Nodes extends Call {
    @Override
    void run(AdminGrpc.AdminBlockingStub admin, PrintWriter out) {
      var r = admin.listNodes(ListNodesRequest.getDefaultInstance());
      out.printf("%-16s %-16s %-22s %-22s %8s %6s %8s %5s %s%n", "ID", "ROLES", "PUBLIC", "GRPC",
          "SESSIONS", "CAP", "WEIGHT", "CPU", "STATE");
      for (NodeInfo n : r.getNodesList()) {
        out.printf("%-16s %-16s %-22s %-22s %8d %6s %8d %4.0f%% %s%n", n.getId(), roles(n),
            n.getPublicAddress(), n.getGrpcAddress(), n.getLoad().getSessions(),
            n.getCapacity() == 0 ? "-" : String.valueOf(n.getCapacity()), n.getWeight(),
            n.getLoad().getCpu() * 100, n.getDraining() ? "draining" : "serving");
      }
      out.printf("(%d nodes, as seen by %s)%n", r.getNodesCount(), r.getAnsweredBy());
    }

    private static String roles(NodeInfo n) {
      return n.getRolesList().stream().filter(x -> x != Role.ROLE_UNSPECIFIED)
          .map(x -> x.name().substring("ROLE_".length()).toLowerCase(java.util.Locale.ROOT))
          .collect(Collectors.joining(","));
    }
  }

  @Command(name = "drain", description = "Send a node's new clients elsewhere; its sessions stay.")
  static final class Drain extends Call {
    @Parameters(index = "0", description = "node id")
    String node;

    @Override
    void run(AdminGrpc.AdminBlockingStub admin, PrintWriter out) {
      show(out, admin.drain(NodeRequest.newBuilder().setNodeId(node).build()));
    }
  }

  @Command(name = "undrain", description = "Let a drained node take new clients again.")
  static final class Undrain extends Call {
    @Parameters(index = "0", description = "node id")
    String node;

    @Override
    void run(AdminGrpc.AdminBlockingStub admin, PrintWriter out) {
      show(out, admin.undrain(NodeRequest.newBuilder().setNodeId(node).build()));
    }
  }

  @Command(name = "weight", description = "Set a node's share of redirected clients (0..10000).")
  static final class Weight extends Call {
    @Parameters(index = "0", description = "node id")
    String node;

    @Parameters(index = "1", description = "weight, 0..10000")
    int weight;

    @Override
    public Integer call() throws Exception {
      if (weight < 0 || weight > 10_000) {
        throw new CommandLine.ParameterException(spec.commandLine(), "weight " + weight + " out of range 0..10000");
      }
      return super.call();
    }

    @Override
    void run(AdminGrpc.AdminBlockingStub admin, PrintWriter out) {
      show(out, admin.setWeight(SetWeightRequest.newBuilder().setNodeId(node).setWeight(weight).build()));
    }
  }

  static void show(PrintWriter out, NodeResponse r) {
    NodeInfo n = r.getNode();
    out.printf("%s: %s, weight %d%n", n.getId(), n.getDraining() ? "draining" : "serving", n.getWeight());
  }
}
