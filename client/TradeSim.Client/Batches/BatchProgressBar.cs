using System.Diagnostics;
using System.Globalization;

namespace TradeSim.Client.Batches;

/// <summary>
/// Progress of a batch on stderr: a bar redrawn in place on a terminal, plain lines (every tenth of the way) when
/// stderr is a file or a pipe. Wall-clock rates appear here only, never in results.
/// </summary>
internal sealed class BatchProgressBar(TextWriter stderr, bool interactive, long batchId)
{
    private const int BarWidth = 30;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly Stopwatch _clock = new();
    private readonly Lock _gate = new();
    private int _done;
    private int _total;
    private int _doneAtStart;
    private int _lastTenth = -1;
    private TimeSpan _lastDraw = TimeSpan.MinValue;

    public void Start(int done, int total)
    {
        using var scope = _gate.EnterScope();
        _done = done;
        _doneAtStart = done;
        _total = total;
        _lastTenth = total == 0 ? 10 : done * 10 / total;
        _clock.Restart();
        if (!interactive)
        {
            stderr.WriteLine($"batch {batchId}: {done}/{total} runs done, running {total - done}");
        }

        Draw(force: true);
    }

    public void Advance()
    {
        using var scope = _gate.EnterScope();
        _done++;
        Draw(force: _done == _total);
    }

    /// <summary>Sets the counts: finished runs, and the planned runs (a precision round raises them).</summary>
    public void Update(int done, int total)
    {
        using var scope = _gate.EnterScope();
        if (done != _done || total != _total)
        {
            _done = done;
            _total = total;
            Draw(force: _done == _total);
        }
    }

    /// <summary>A line of its own (e.g. the living silos), without breaking the bar. Safe from any thread.</summary>
    public void Note(string line)
    {
        using var scope = _gate.EnterScope();
        if (interactive)
        {
            stderr.Write("\r\u001b[K");
        }

        stderr.WriteLine(line);
        Draw(force: true);
    }

    public void Stop()
    {
        using var scope = _gate.EnterScope();
        if (interactive)
        {
            stderr.WriteLine();
        }
    }

    public double RunsPerSecond => _clock.Elapsed.TotalSeconds <= 0 ? 0 : (_done - _doneAtStart) / _clock.Elapsed.TotalSeconds;

    private void Draw(bool force)
    {
        var rate = RunsPerSecond;
        var eta = rate > 0 ? TimeSpan.FromSeconds((_total - _done) / rate) : (TimeSpan?)null;
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"{_done}/{_total} runs ({(_total == 0 ? 100 : _done * 100 / _total)}%)  {rate:F1} runs/s{(eta is { } e && _done < _total ? $"  ETA {e:h\\:mm\\:ss}" : string.Empty)}");
        if (interactive)
        {
            if (!force && _clock.Elapsed - _lastDraw < RedrawInterval)
            {
                return;
            }

            _lastDraw = _clock.Elapsed;
            var filled = _total == 0 ? BarWidth : _done * BarWidth / _total;
            stderr.Write($"\r  [{new string('#', filled)}{new string('.', BarWidth - filled)}] {text}\u001b[K");
            stderr.Flush();
            return;
        }

        var tenth = _total == 0 ? 10 : _done * 10 / _total;
        if (tenth > _lastTenth)
        {
            _lastTenth = tenth;
            stderr.WriteLine($"batch {batchId}: {text}");
        }
    }
}
