using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Storage;

namespace TradeSim.Grains.Batches;

/// <summary>
/// A batch grain's account of its runs: which wait, which execute on which silo, which are done or failed for good,
/// and how many attempts each has had. Pure bookkeeping (no Orleans, no store, no clock: times are passed in), so the
/// dispatch, retry and give-up rules are tested on their own.
/// </summary>
/// <remarks>
/// Runs are indexed replication-major and handed out in that order, so a batch's first replications finish first in
/// every scenario. Memory: two bytes per planned run (phase and attempts), plus details only for the runs that execute
/// or wait to be retried, whose number is bounded by the cluster's workers and the failures, not by the replications.
/// </remarks>
internal sealed class RunLedger
{
    /// <summary>Backoff before a run that threw is tried again: 0.5 s, doubling per attempt, at most 30 s.</summary>
    public static TimeSpan RetryBackoff(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(30, 0.5 * Math.Pow(2, Math.Max(0, attempts - 1))));

    private readonly long _batch;
    private readonly int _scenarios;
    private readonly int _maxAttempts;
    private byte[] _phases = [];
    private byte[] _attempts = [];
    private int _planned;

    /// <summary>Runs at or above the cursor have never been handed out; every waiting run below it is in <see cref="_retry"/>.</summary>
    private int _cursor;
    private readonly SortedSet<int> _retry = [];
    private readonly Dictionary<int, Live> _live = [];
    private readonly Dictionary<string, int> _doneBySilo = new(StringComparer.Ordinal);
    private int _waiting;
    private int _executing;
    private int _done;
    private int _failed;

    public RunLedger(long batch, int scenarios, int maxAttempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scenarios, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxAttempts, byte.MaxValue);
        _batch = batch;
        _scenarios = scenarios;
        _maxAttempts = maxAttempts;
    }

    /// <summary>What a release did: nothing (stale), gave back the attempt only, or gave it back and queued the run again.</summary>
    public enum Release
    {
        Ignored,
        Returned,
        Requeued,
    }

    private enum Phase : byte
    {
        Waiting,
        Executing,
        Done,
        Failed,
    }

    public int PlannedReplications => _planned / _scenarios;

    public int Done => _done;

    public int Failed => _failed;

    public int Executing => _executing;

    public int Waiting => _waiting;

    /// <summary>
    /// Runs looked at by <see cref="Eligible"/> since the ledger was made: the work dispatching did, which stays
    /// proportional to the runs handed out (tests hold it to that; no clock involved).
    /// </summary>
    public long Examined { get; private set; }

    /// <summary>Every planned run is done or failed for good.</summary>
    public bool AllFinished => _done + _failed == _planned;

    /// <summary>Plans replications up to <paramref name="replications"/> (never fewer than planned); new runs wait.</summary>
    public void Plan(int replications)
    {
        var runs = replications * _scenarios;
        if (runs <= _planned)
        {
            return;
        }

        if (runs > _phases.Length)
        {
            var capacity = Math.Max(runs, _phases.Length * 2);
            Array.Resize(ref _phases, capacity);
            Array.Resize(ref _attempts, capacity);
        }

        _waiting += runs - _planned;
        _planned = runs;
    }

    /// <summary>Takes the store's account (a fresh activation): done and failed runs as stored, every other run waiting.</summary>
    public void Load(IReadOnlyList<RunState> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        foreach (var run in stored)
        {
            var index = Index(run.Position, run.Replication);
            if (index >= _planned)
            {
                Plan(run.Replication + 1);
            }

            _attempts[index] = (byte)Math.Min(byte.MaxValue, run.Attempts);
            if (run.LastError is not null && run.State == StoredRunState.Pending)
            {
                LiveOf(index).LastError = run.LastError;
            }

            if (run.State == StoredRunState.Done)
            {
                SetPhase(index, Phase.Done);
            }
            else if (run.State == StoredRunState.Failed)
            {
                SetPhase(index, Phase.Failed);
            }
        }
    }

    /// <summary>Waiting runs that have used attempts already: after a rebuild they may still execute on a silo that is alive.</summary>
    public IReadOnlyList<(RunKey Key, int Attempts)> WaitingWithAttempts()
    {
        var runs = new List<(RunKey, int)>();
        for (var i = 0; i < _planned; i++)
        {
            if ((Phase)_phases[i] == Phase.Waiting && _attempts[i] > 0)
            {
                runs.Add((Key(i), _attempts[i]));
            }
        }

        return runs;
    }

    /// <summary>
    /// Up to <paramref name="count"/> waiting runs whose retry backoff has passed, in order. Runs that have used every
    /// attempt are not handed out: they are added to <paramref name="exhausted"/>, to be given up. A run down to its
    /// last attempt goes only to a silo that holds no run (<paramref name="siloIdle"/>), and alone: it executes by
    /// itself, so if its silo dies again the death is its own, and a run that merely shared a silo with a run that
    /// kills silos is never given up for it.
    /// </summary>
    public IReadOnlyList<RunKey> Eligible(int count, TimeSpan now, List<RunKey> exhausted, bool siloIdle)
    {
        ArgumentNullException.ThrowIfNull(exhausted);
        var keys = new List<RunKey>(Math.Min(count, _waiting));
        foreach (var index in _retry)
        {
            if (keys.Count >= count)
            {
                return keys;
            }

            Examined++;
            if (Consider(index, now, keys, exhausted, siloIdle))
            {
                return keys;
            }
        }

        // Runs above the cursor have never been looked at: each is looked at once, then kept in the retry set while it waits.
        while (keys.Count < count && _cursor < _planned)
        {
            var index = _cursor++;
            Examined++;
            if ((Phase)_phases[index] == Phase.Waiting)
            {
                _retry.Add(index);
                if (Consider(index, now, keys, exhausted, siloIdle))
                {
                    return keys;
                }
            }
        }

        return keys;
    }

    /// <summary>Whether a run handed out as attempt <paramref name="attempt"/> uses its last attempt (and executes alone).</summary>
    public bool IsLastAttempt(int attempt) => _maxAttempts > 1 && attempt >= _maxAttempts;

    /// <summary>A run was handed to a silo as attempt <paramref name="attempt"/>.</summary>
    public void Dispatched(RunKey key, int attempt, RunExecutor executor, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(executor);
        var index = Index(key);
        _attempts[index] = (byte)Math.Min(byte.MaxValue, attempt);
        var live = LiveOf(index);
        live.Dispatch = attempt;
        live.SiloName = executor.SiloName;
        live.SiloAddress = executor.SiloAddress;
        live.LastNews = now;
        SetPhase(index, Phase.Executing);
    }

    /// <summary>The run is done (its result is stored), whoever reports it. False when it was done already.</summary>
    public bool MarkDone(RunKey key, string? siloName)
    {
        var index = Index(key);
        if (index >= _planned || (Phase)_phases[index] == Phase.Done)
        {
            return false;
        }

        if (siloName is not null)
        {
            _doneBySilo[siloName] = _doneBySilo.GetValueOrDefault(siloName) + 1;
        }

        SetPhase(index, Phase.Done);
        return true;
    }

    /// <summary>
    /// An attempt failed (it threw, or its silo died): the run waits until <paramref name="retryAt"/>, or is given up
    /// when it has used every attempt (true). Ignored (null) unless the run executes this very attempt.
    /// </summary>
    public bool? AttemptFailed(RunKey key, int attempt, string error, TimeSpan retryAt)
    {
        var index = Index(key);
        if (!IsCurrent(index, attempt))
        {
            return null;
        }

        var live = LiveOf(index);
        live.LastError = error;
        if (_attempts[index] >= _maxAttempts)
        {
            SetPhase(index, Phase.Failed);
            return true;
        }

        live.NotBefore = retryAt;
        SetPhase(index, Phase.Waiting);
        return false;
    }

    /// <summary>
    /// The silo gave the run back unfinished: its attempt is not counted. When it was the run's current dispatch, the
    /// run waits again (<see cref="Release.Requeued"/>); when the run was dispatched again meanwhile (its batch lost
    /// track of the first dispatch and sent it elsewhere), only the attempt is given back (<see cref="Release.Returned"/>).
    /// </summary>
    public Release Released(RunKey key, int attempt, TimeSpan now)
    {
        var index = Index(key);
        if (index >= _planned || (Phase)_phases[index] is Phase.Done or Phase.Failed || _attempts[index] == 0)
        {
            return Release.Ignored;
        }

        _attempts[index]--;
        if (!IsCurrent(index, attempt))
        {
            return Release.Returned;
        }

        LiveOf(index).NotBefore = now;
        SetPhase(index, Phase.Waiting);
        return Release.Requeued;
    }

    /// <summary>Gives up a run that used every attempt without executing now; returns the error to record.</summary>
    public string GiveUp(RunKey key, string fallbackError)
    {
        var index = Index(key);
        var error = _live.TryGetValue(index, out var live) && live.LastError is not null ? live.LastError : fallbackError;
        SetPhase(index, Phase.Failed);
        return error;
    }

    /// <summary>A waiting run found executing on a silo when the ledger was rebuilt (the batch's silo died, that one did not).</summary>
    public void FoundExecuting(RunKey key, int attempt, string siloName, string? siloAddress, TimeSpan now)
    {
        var index = Index(key);
        if ((Phase)_phases[index] != Phase.Waiting)
        {
            return;
        }

        _attempts[index] = (byte)Math.Min(byte.MaxValue, Math.Max(_attempts[index], attempt));
        var live = LiveOf(index);
        live.Dispatch = attempt;
        live.SiloName = siloName;
        live.SiloAddress = siloAddress;
        live.LastNews = now;
        SetPhase(index, Phase.Executing);
    }

    /// <summary>News of an executing run (it was found still executing): it is not stale again for a while.</summary>
    public void Heard(RunKey key, TimeSpan now)
    {
        if (_live.TryGetValue(Index(key), out var live))
        {
            live.LastNews = now;
        }
    }

    /// <summary>The attempts a run has had (dispatches, less those given back).</summary>
    public int AttemptsOf(RunKey key) => _attempts[Index(key)];

    /// <summary>Runs executing on a silo, with their dispatch numbers: what is lost when that silo dies.</summary>
    public IReadOnlyList<(RunKey Key, int Attempt)> ExecutingOn(string siloAddress) =>
        _live.Where(e => (Phase)_phases[e.Key] == Phase.Executing && e.Value.SiloAddress == siloAddress)
            .Select(e => (Key(e.Key), e.Value.Dispatch))
            .OrderBy(r => r.Item1.Replication).ThenBy(r => r.Item1.Position)
            .ToList();

    /// <summary>The distinct silo addresses that execute runs now.</summary>
    public IReadOnlyList<string> ExecutingSilos() =>
        _live.Where(e => (Phase)_phases[e.Key] == Phase.Executing).Select(e => e.Value.SiloAddress).OfType<string>().Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Runs executing with no news for <paramref name="quiet"/>, with their dispatch numbers: worth asking their grains about.</summary>
    public IReadOnlyList<(RunKey Key, int Attempt)> Stale(TimeSpan now, TimeSpan quiet) =>
        _live.Where(e => (Phase)_phases[e.Key] == Phase.Executing && now - e.Value.LastNews >= quiet)
            .Select(e => (Key(e.Key), e.Value.Dispatch))
            .ToList();

    /// <summary>Per silo: the runs it executes now and those it finished during this activation of the batch.</summary>
    public IReadOnlyList<SiloShare> Shares()
    {
        var executing = _live.Where(e => (Phase)_phases[e.Key] == Phase.Executing)
            .GroupBy(e => e.Value.SiloName ?? "?", StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return _doneBySilo.Keys.Union(executing.Keys, StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(name => new SiloShare(name, executing.GetValueOrDefault(name), _doneBySilo.GetValueOrDefault(name)))
            .ToList();
    }

    public RunKey Key(int index) => new(_batch, index % _scenarios, index / _scenarios);

    /// <summary>Adds the run to <paramref name="keys"/> if it may go now; true when it goes alone (nothing may follow it).</summary>
    private bool Consider(int index, TimeSpan now, List<RunKey> keys, List<RunKey> exhausted, bool siloIdle)
    {
        if (_attempts[index] >= _maxAttempts)
        {
            exhausted.Add(Key(index));
            return false;
        }

        if (_live.TryGetValue(index, out var live) && live.NotBefore > now)
        {
            return false;
        }

        if (IsLastAttempt(_attempts[index] + 1))
        {
            if (!siloIdle || keys.Count > 0)
            {
                return false;
            }

            keys.Add(Key(index));
            return true;
        }

        keys.Add(Key(index));
        return false;
    }

    /// <summary>Whether the run executes the dispatch numbered <paramref name="attempt"/> (a report of an older one is stale).</summary>
    private bool IsCurrent(int index, int attempt) =>
        index < _planned && (Phase)_phases[index] == Phase.Executing && _live.TryGetValue(index, out var live) && live.Dispatch == attempt;

    private int Index(RunKey key) => Index(key.Position, key.Replication);

    private int Index(int position, int replication) => (replication * _scenarios) + position;

    private Live LiveOf(int index)
    {
        if (!_live.TryGetValue(index, out var live))
        {
            _live[index] = live = new Live();
        }

        return live;
    }

    private void SetPhase(int index, Phase phase)
    {
        var current = (Phase)_phases[index];
        if (current == phase)
        {
            return;
        }

        switch (current)
        {
            case Phase.Waiting:
                _waiting--;
                _retry.Remove(index);
                break;
            case Phase.Executing: _executing--; break;
            case Phase.Done: _done--; break;
            case Phase.Failed: _failed--; break;
        }

        _phases[index] = (byte)phase;
        switch (phase)
        {
            case Phase.Waiting:
                _waiting++;
                if (index < _cursor)
                {
                    _retry.Add(index);
                }

                break;
            case Phase.Executing: _executing++; break;
            case Phase.Done:
                _done++;
                _live.Remove(index);
                break;
            case Phase.Failed:
                _failed++;
                _live.Remove(index);
                break;
        }
    }

    /// <summary>What the ledger knows of a run beyond its phase and attempts, while it executes or waits to be retried.</summary>
    private sealed class Live
    {
        /// <summary>The attempt number its current dispatch was given: reports of other dispatches are stale.</summary>
        public int Dispatch { get; set; }

        public TimeSpan NotBefore { get; set; }

        public TimeSpan LastNews { get; set; }

        public string? SiloName { get; set; }

        public string? SiloAddress { get; set; }

        public string? LastError { get; set; }
    }
}
