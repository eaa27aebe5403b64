package io.altocumulus.cluster;

import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA and node certificates (P-256, SAN 127.0.0.1 and localhost), as PEM files. */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
  final Path dir;
  final KeyPair caKeys;
  final X509Certificate ca;
  final Path caFile;

  public TestPki(Path dir, String name) throws Exception {
    this.dir = dir;
    caKeys = keys();
    X500Name subject = new X500Name("CN=" + name);
    var b = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(SERIAL.incrementAndGet()),
        new Date(System.currentTimeMillis() - 60_000), new Date(System.currentTimeMillis() + 86_400_000L),
        subject, caKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    ca = sign(b, caKeys.getPrivate());
    caFile = dir.resolve(name + "-ca.pem");
    pem(caFile, ca);
  }

  /** Writes {@code <id>.pem} and {@code <id>.key}; returns the TLS ini keys for them. */
  public java.util.Map<String, String> node(String id) throws Exception {
    KeyPair kp = keys();
    var b = new JcaX509v3CertificateBuilder(new X500Name(ca.getSubjectX500Principal().getName()),
        BigInteger.valueOf(SERIAL.incrementAndGet()), new Date(System.currentTimeMillis() - 60_000),
        new Date(System.currentTimeMillis() + 86_400_000L), new X500Name("CN=" + id), kp.getPublic());
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    X509Certificate cert = sign(b, caKeys.getPrivate());
    Path certFile = dir.resolve(id + ".pem");
    Path keyFile = dir.resolve(id + ".key");
    pem(certFile, cert);
    pem(keyFile, new JcaPKCS8Generator(kp.getPrivate(), null));
    return java.util.Map.of("cluster.tls.cert", certFile.toString(), "cluster.tls.key", keyFile.toString(),
        "cluster.tls.ca", caFile.toString());
  }

  private static KeyPair keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey key) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  private static void pem(Path file, Object o) throws Exception {
    Files.createDirectories(file.getParent());
    try (Writer w = Files.newBufferedWriter(file); JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
  }
}
