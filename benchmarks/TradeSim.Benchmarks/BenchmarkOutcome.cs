using BenchmarkDotNet.Reports;

namespace TradeSim.Benchmarks;

/// <summary>What went wrong in a benchmark run, from BenchmarkDotNet's summaries.</summary>
internal static class BenchmarkOutcome
{
    public static IReadOnlyList<string> Problems(IReadOnlyList<Summary> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var problems = new List<string>();
        foreach (var summary in summaries)
        {
            problems.AddRange(summary.ValidationErrors.Select(e => $"{summary.Title}: validation {(e.IsCritical ? "error" : "warning")}: {e.Message}").Where(_ => summary.HasCriticalValidationErrors));
            foreach (var report in summary.Reports.Where(r => !r.Success))
            {
                problems.Add($"{report.BenchmarkCase.DisplayInfo}: failed ({(report.BuildResult.IsBuildSuccess ? "it threw or crashed; see its output above" : "it did not build")})");
            }

            // A case that never got a report (its setup threw before any run) is missing from Reports.
            foreach (var missing in summary.BenchmarksCases.Where(c => summary.Reports.All(r => r.BenchmarkCase != c)))
            {
                problems.Add($"{missing.DisplayInfo}: no result");
            }
        }

        return problems;
    }
}
