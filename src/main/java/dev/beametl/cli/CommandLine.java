package dev.beametl.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The command line as given, split where Beam's flag parser would get it wrong: Beam splits a
 * {@code List<String>} flag at commas, so {@code --set=filter=coalesce(discount, 0) > 0} would
 * arrive in pieces. {@code --set} values are taken here, whole; everything else goes to Beam.
 */
final class CommandLine {
  private static final String SET = "--set=";

  final List<String> sets;
  final String[] beamArgs;
  final List<String> all;

  private CommandLine(List<String> sets, String[] beamArgs, List<String> all) {
    this.sets = sets;
    this.beamArgs = beamArgs;
    this.all = all;
  }

  static CommandLine of(String[] args) {
    List<String> sets = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (String a : args) {
      if (a.startsWith(SET)) {
        sets.add(a.substring(SET.length()));
      } else {
        rest.add(a);
      }
    }
    return new CommandLine(List.copyOf(sets), rest.toArray(new String[0]), List.of(args));
  }

  /** The names of the flags given, e.g. "objectReuse" for --objectReuse=false. */
  List<String> flagNames() {
    return names(all);
  }

  static List<String> names(List<String> args) {
    return args.stream().filter(a -> a.startsWith("--"))
        .map(a -> a.substring(2).split("=", 2)[0]).collect(Collectors.toList());
  }

  static List<String> names(String[] args) {
    return names(Arrays.asList(args));
  }
}
