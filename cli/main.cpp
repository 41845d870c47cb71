// vitperf: predict, measure, fit and validate Vision Transformer inference performance.
#include <algorithm>
#include <iostream>
#include <stdexcept>
#include <string>

#include "cli/commands.h"
#include "cli/run_meta.h"
#include "cli/warnings.h"
#include "model/build_info.h"
#include "model/closest_names.h"
#include "model/output_file.h"

namespace {

// An error is one line on stderr, whatever a library put in its message.
std::string OneLine(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

// The error line: the message, then the warnings that explain it, on one line.
std::string ErrorLine(const std::string& what) {
  std::string line = OneLine(what);
  for (const std::string& w : vitperf::cli::TakeWarnings())
    line += " [warning: " + OneLine(w) + "]";
  return line;
}

// Parses and runs the command; returns the exit status (see cli/commands.h).
int Run(CLI::App& app, int argc, char** argv) {
  using namespace vitperf;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "vitperf: error: " << ErrorLine(e.what()) << "\n";
    return cli::kExitUsage;
  } catch (const cli::ExitStatus& e) {
    return e.code;
  } catch (const std::invalid_argument& e) {
    std::cerr << "vitperf: error: " << ErrorLine(e.what()) << "\n";
    return cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "vitperf: error: " << ErrorLine(e.what()) << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vitperf;
  cli::RecordInvocation(argc, argv);
  CLI::App app{"vitperf " + VersionString() +
               ": predicts how fast a Vision Transformer inference pipeline runs on a GPU, what "
               "bounds it, and which configuration is best - and checks itself against "
               "measurements."};
  app.set_version_flag("--version", "vitperf " + VersionString() + " (" + GitRevision() + ")");
  app.require_subcommand(1);
  app.failure_message(CLI::FailureMessage::simple);
  app.footer("Examples:\n"
             "  vitperf predict --model vit_b16 --gpu h100\n"
             "  vitperf best --model vit_l16 --res 512 --gpu h100 --latency-slo 50\n"
             "  vitperf measure --experiment quick_test --device cpu -o quick.jsonl\n"
             "  vitperf fit quick.jsonl --base h100 -o my-h100.json\n"
             "  vitperf validate --profile my-h100.json --data quick.jsonl\n"
             "Run `vitperf <command> --help` for each command's options.");

#ifdef VITPERF_CLI_HAS_cmd_predict
  cli::AddPredictCommand(app);
#endif
#ifdef VITPERF_CLI_HAS_cmd_catalog
  cli::AddCatalogCommands(app);
#endif
#ifdef VITPERF_CLI_HAS_cmd_answers
  cli::AddAnswerCommands(app);
#endif
#ifdef VITPERF_CLI_HAS_cmd_validate
  cli::AddValidateCommand(app);
#endif
#ifdef VITPERF_CLI_HAS_cmd_measure
  cli::AddMeasureCommands(app);
#endif
#ifdef VITPERF_CLI_HAS_cmd_fit
  cli::AddFitCommand(app);
#endif
#ifdef VITPERF_CLI_HAS_cmd_calibrate
  cli::AddCalibrateCommand(app);
#endif

  // CLI11 would only say "a subcommand is required"; name the unknown one and the closest.
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  if (argc > 1 && argv[1][0] != '-' &&
      std::find(names.begin(), names.end(), argv[1]) == names.end()) {
    std::cerr << "vitperf: error: unknown command '" << argv[1]
              << "' (closest: " << ClosestNames(argv[1], names) << "; see vitperf --help)\n";
    return cli::kExitUsage;
  }
  int code = Run(app, argc, argv);
  // Collected warnings: one line each after a success; after a failure Run already folded them
  // into its one error line.
  for (const std::string& w : cli::TakeWarnings()) std::cerr << "vitperf: warning: " << w << "\n";
  // Output that never reached its file (a full disk) is a failure, not a success.
  if (const std::string error = FinishStandardOutput(); !error.empty()) {
    std::cerr << "vitperf: error: " << error << "\n";
    if (code == 0) code = 1;
  }
  return code;
}
