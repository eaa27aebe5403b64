package io.altocumulus.cluster.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.proto.cluster.v1.AdminGrpc;
import io.altocumulus.proto.cluster.v1.ListNodesRequest;
import io.altocumulus.proto.cluster.v1.ListNodesResponse;
import io.altocumulus.proto.cluster.v1.LoadSnapshot;
import io.altocumulus.proto.cluster.v1.NodeInfo;
import io.altocumulus.proto.cluster.v1.NodeRequest;
import io.altocumulus.proto.cluster.v1.NodeResponse;
import io.altocumulus.proto.cluster.v1.Role;
import io.altocumulus.proto.cluster.v1.SetWeightRequest;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CLI against a fake Admin service on loopback. */
class AdminCliTest {
  final List<String> calls = new ArrayList<>();
  Server server;

  @BeforeEach
  void start() throws Exception {
    server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(new AdminGrpc.AdminImplBase() {
      @Override
      public void listNodes(ListNodesRequest r, StreamObserver<ListNodesResponse> o) {
        o.onNext(ListNodesResponse.newBuilder().setAnsweredBy("a")
            .addNodes(NodeInfo.newBuilder().setId("a").addRoles(Role.ROLE_EDGE).setPublicAddress("10.0.0.1:1935")
                .setGrpcAddress("10.0.0.1:7935").setWeight(100).setCapacity(5000)
                .setLoad(LoadSnapshot.newBuilder().setSessions(42).setCpu(0.25f)))
            .addNodes(NodeInfo.newBuilder().setId("b").addRoles(Role.ROLE_EDGE).addRoles(Role.ROLE_RENDEZVOUS)
                .setDraining(true).setWeight(50))
            .build());
        o.onCompleted();
      }

      @Override
      public void drain(NodeRequest r, StreamObserver<NodeResponse> o) {
        calls.add("drain " + r.getNodeId());
        if (r.getNodeId().equals("nobody")) {
          o.onError(Status.NOT_FOUND.withDescription("no registered node 'nobody'").asRuntimeException());
          return;
        }
        o.onNext(NodeResponse.newBuilder().setNode(NodeInfo.newBuilder().setId(r.getNodeId()).setDraining(true).setWeight(100)).build());
        o.onCompleted();
      }

      @Override
      public void undrain(NodeRequest r, StreamObserver<NodeResponse> o) {
        calls.add("undrain " + r.getNodeId());
        o.onNext(NodeResponse.newBuilder().setNode(NodeInfo.newBuilder().setId(r.getNodeId()).setWeight(100)).build());
        o.onCompleted();
      }

      @Override
      public void setWeight(SetWeightRequest r, StreamObserver<NodeResponse> o) {
        calls.add("weight " + r.getNodeId() + " " + r.getWeight());
        o.onNext(NodeResponse.newBuilder().setNode(NodeInfo.newBuilder().setId(r.getNodeId()).setWeight(r.getWeight())).build());
        o.onCompleted();
      }
    }).build().start();
  }

  @AfterEach
  void stop() {
    server.shutdownNow();
  }

  String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--target=127.0.0.1:" + server.getPort());
    int code = AdminCli.run(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void nodesPrintsATable() {
    String[] r = run("nodes");
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1]).contains("ID").contains("10.0.0.1:1935").contains("42").contains("25%")
        .contains("edge,rendezvous").contains("draining").contains("(2 nodes, as seen by a)");
  }

  @Test
  void drainUndrainWeightCallTheService() {
    assertThat(run("drain", "b")[1]).contains("b: draining");
    assertThat(run("undrain", "b")[1]).contains("b: serving");
    assertThat(run("weight", "b", "7")[1]).contains("b: serving, weight 7");
    assertThat(calls).containsExactly("drain b", "undrain b", "weight b 7");
  }

  @Test
  void errorsAndBadUsageGiveNonZeroExitCodes() {
    String[] r = run("drain", "nobody");
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[2]).contains("NOT_FOUND").contains("nobody");
    assertThat(run("weight", "b", "20000")[0]).isEqualTo("2");
    assertThat(calls).containsExactly("drain nobody");
  }
}
