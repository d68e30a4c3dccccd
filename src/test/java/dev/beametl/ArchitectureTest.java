package dev.beametl;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertThrows;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/**
 * The layout's arrows, pinned: which package of the job may use which. The command line wires
 * everything; the stages (extract, validate, lookup, transform, load) use only spec, the shared record
 * types, the JDBC connections and the fault seam - never a sibling, a later stage or the command
 * line; spec uses nothing of the job; only the runner set-up knows Flink. The same rules run against
 * a fixture that breaks each of them, to prove they can fail.
 */
public class ArchitectureTest {
  /** Package (under the root) -> the packages it may use. Anything else of the job is off limits. */
  static final Map<String, List<String>> MAY_USE = new LinkedHashMap<>();

  static {
    MAY_USE.put("cli", List.of("pipeline", "runner", "report", "profile", "extract", "load", "spec", "record", "jdbc",
        "fault"));
    MAY_USE.put("profile", List.of("pipeline", "extract", "validate", "spec", "record"));
    MAY_USE.put("pipeline", List.of("extract", "validate", "lookup", "transform", "load", "spec", "record", "fault"));
    MAY_USE.put("runner", List.of("spec", "record"));
    MAY_USE.put("report", List.of("record"));
    MAY_USE.put("extract", List.of("spec", "record", "jdbc"));
    MAY_USE.put("validate", List.of("spec", "record"));
    MAY_USE.put("lookup", List.of("spec", "record"));
    MAY_USE.put("transform", List.of("spec", "record"));
    MAY_USE.put("load", List.of("spec", "record", "jdbc", "fault"));
    MAY_USE.put("record", List.of("spec"));
    MAY_USE.put("jdbc", List.of("spec", "record"));
    MAY_USE.put("fault", List.of());
    MAY_USE.put("spec", List.of());
  }

  /** The rules for a code base whose packages sit under {@code root}. */
  static List<ArchRule> rules(String root) {
    LayeredArchitecture layers = layeredArchitecture().consideringOnlyDependenciesInLayers();
    for (String p : MAY_USE.keySet()) {
      layers = layers.layer(p).definedBy(root + "." + p + "..");
    }
    for (Map.Entry<String, List<String>> e : MAY_USE.entrySet()) {
      layers = e.getValue().isEmpty() ? layers.whereLayer(e.getKey()).mayNotAccessAnyLayer()
          : layers.whereLayer(e.getKey()).mayOnlyAccessLayers(e.getValue().toArray(new String[0]));
    }
    return List.of(
        layers.because("arrows run one way: command line -> stages -> spec and shared types"),
        slices().matching(root + ".(*)..").should().beFreeOfCycles(),
        noClasses().that().resideInAPackage(root + "..").and().resideOutsideOfPackage(root + ".runner..")
            .should().dependOnClassesThat(DescribedPredicate.describe("are Flink's, but for DataError's annotation",
                (JavaClass c) -> (c.getPackageName().startsWith("org.apache.flink")
                        || c.getPackageName().startsWith("org.apache.beam.runners.flink"))
                    && !c.getPackageName().equals("org.apache.flink.runtime.throwable")))
            .because("only the runner set-up knows Flink; the job runs on any Beam runner"),
        // The one exception: an annotation, read by Flink's failover only (a data error is not retried)
        noClasses().that().resideInAPackage(root + "..").and().doNotHaveFullyQualifiedName(root + ".record.DataError")
            .should().dependOnClassesThat().resideInAPackage("org.apache.flink.runtime.throwable..")
            .because("a data error is marked for Flink's failover in one place, record.DataError"),
        noClasses().that().resideInAPackage(root + "..")
            .should().dependOnClassesThat().resideInAnyPackage("scala..", "org.apache.pekko..", "com.typesafe.config..")
            .because("Scala, Pekko and their configuration come with Flink's RPC system (flink-rpc-akka, on the class"
                + " path for the class-data archive) and are Flink's: Flink would isolate them, and another copy would"
                + " win or lose by class-path order"));
  }

  @Test
  public void theJobKeepsItsArrows() {
    JavaClasses job = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.beametl");
    assertThat("the job's classes were found", job.size(), greaterThan(100));
    for (ArchRule rule : rules("dev.beametl")) {
      rule.check(job);
    }
  }

  @Test
  public void theRulesCatchAFixtureThatBreaksThem() {
    JavaClasses fixture = new ClassFileImporter().importPackages("dev.beametl.archfixture");
    List<ArchRule> rules = rules("dev.beametl.archfixture");
    String layers = assertThrows(AssertionError.class, () -> rules.get(0).check(fixture)).getMessage();
    assertThat(layers, containsString("archfixture.extract.StageThatLoads"));
    assertThat(layers, containsString("archfixture.spec.SpecThatValidates"));
    assertThat(layers, containsString("archfixture.validate.StageThatRunsTheJob"));
    String cycles = assertThrows(AssertionError.class, () -> rules.get(1).check(fixture)).getMessage();
    assertThat(cycles, containsString("Cycle detected"));
    String flink = assertThrows(AssertionError.class, () -> rules.get(2).check(fixture)).getMessage();
    assertThat(flink, containsString("archfixture.validate.StageThatKnowsFlink"));
    String marked = assertThrows(AssertionError.class, () -> rules.get(3).check(fixture)).getMessage();
    assertThat(marked, containsString("archfixture.load.ErrorMarkedForFlink"));
    String scala = assertThrows(AssertionError.class, () -> rules.get(4).check(fixture)).getMessage();
    assertThat(scala, containsString("archfixture.validate.StageThatUsesScala"));
  }
}
