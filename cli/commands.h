// Registration of each subcommand group on the root CLI11 app. Callbacks throw
// std::invalid_argument for bad input (exit 2) and std::runtime_error for failures (exit 1).
#pragma once

#include <CLI/CLI.hpp>

namespace vitperf::cli {

void AddPredictCommand(CLI::App& app);   // predict
void AddCatalogCommands(CLI::App& app);  // models, gpus
void AddValidateCommand(CLI::App& app);  // validate
void AddAnswerCommands(CLI::App& app);   // best, regimes, laws, report
void AddMeasureCommands(CLI::App& app);  // measure, topo        (needs LibTorch)
void AddFitCommand(CLI::App& app);       // fit                  (needs Ceres)
void AddCalibrateCommand(CLI::App& app);  // calibrate           (measure, then fit if Ceres)

// Exit status for a run whose check (--max-mape, --check) failed: 1. Bad input: 2.
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitUsage = 2;

// Thrown by a command that wants a specific exit status after printing its own output.
struct ExitStatus {
  int code;
};

}  // namespace vitperf::cli
