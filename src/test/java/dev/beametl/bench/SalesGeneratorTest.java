package dev.beametl.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SalesGeneratorTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private byte[] generate(String name, long seed) throws Exception {
    Path dir = tmp.getRoot().toPath().resolve(name);
    new SalesGenerator(5_000, 0.01, 40, 24, 2_000, seed).write(dir, 2);
    return (Files.readString(dir.resolve("sales-00000.csv")) + Files.readString(dir.resolve("sales-00001.csv"))).getBytes();
  }

  @Test
  public void sameSeedSameBytesOtherSeedOtherBytes() throws Exception {
    assertThat(generate("a", 1), equalTo(generate("b", 1)));
    assertThat(generate("c", 2), is(not(equalTo(generate("d", 1)))));
  }

  @Test
  public void rowsAreSpreadOverTheFilesAndTheBadShareIsKnown() throws Exception {
    Path dir = tmp.getRoot().toPath().resolve("e");
    SalesGenerator generator = new SalesGenerator(5_000, 0.01, 40, 24, 2_000, 3);
    generator.write(dir, 2);
    List<String> first = Files.readAllLines(dir.resolve("sales-00000.csv"));
    List<String> second = Files.readAllLines(dir.resolve("sales-00001.csv"));
    assertThat(first.get(0), equalTo(SalesGenerator.HEADER));
    assertThat(second.get(0), equalTo(SalesGenerator.HEADER));
    assertThat(first.size() - 1 + second.size() - 1, is(5_000));
    assertThat(generator.badRows(), is(50L));
  }
}
