// `occam report RUN [--out FILE]`: one self-contained HTML page about a run directory (inline SVG,
// no script, nothing loaded from the network): the train objective as stacked bands (data loss,
// then each regularization term, the top edge being total_loss), train against validation loss and
// accuracy, per-parameter weight norms, and the `occam explain` table and answers at the last step.
#pragma once

#include <string>

namespace occam::app {

// Writes the page to out_path (empty: <run_dir>/report.html) and returns the path written.
// Throws occam::Error naming the file on a run directory that cannot be read, or an unwritable path.
std::string write_report(const std::string& run_dir, const std::string& out_path = "");

}  // namespace occam::app
