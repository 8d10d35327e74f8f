namespace TradeSim.Kernel;

/// <summary>
/// An append-only buffer that keeps its array across <see cref="Clear"/>: message boxes and queues reach their
/// high-water mark early in a run and then allocate nothing.
/// </summary>
internal struct GrowableBuffer<T>
{
    private T[] _items;
    private int _count;

    public GrowableBuffer(int capacity) => _items = new T[Math.Max(4, capacity)];

    public readonly int Count => _count;

    public readonly ref T this[int index] => ref _items[index];

    public void Add(in T item)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[_count++] = item;
    }

    public void Clear() => _count = 0;
}

/// <summary>A FIFO ring (of truck or visit indices, of shipments) that grows only when full.</summary>
internal struct Ring<T>
{
    private T[] _items;
    private int _head;
    private int _count;

    public Ring(int capacity) => _items = new T[Math.Max(4, capacity)];

    public readonly int Count => _count;

    /// <summary>The oldest item, in place. Only when not empty.</summary>
    public readonly ref T Head => ref _items[_head];

    /// <summary>The newest item, in place. Only when not empty.</summary>
    public readonly ref T Tail => ref _items[(_head + _count - 1) % _items.Length];

    /// <summary>The item <paramref name="index"/> places after the oldest (0 is <see cref="Head"/>).</summary>
    public readonly ref T this[int index] => ref _items[(_head + index) % _items.Length];

    public void Enqueue(in T value)
    {
        if (_count == _items.Length)
        {
            var bigger = new T[_items.Length * 2];
            for (var i = 0; i < _count; i++)
            {
                bigger[i] = _items[(_head + i) % _items.Length];
            }

            _items = bigger;
            _head = 0;
        }

        _items[(_head + _count) % _items.Length] = value;
        _count++;
    }

    public T Dequeue()
    {
        var value = _items[_head];
        _head = (_head + 1) % _items.Length;
        _count--;
        return value;
    }
}

/// <summary>
/// Counts of durations in hours, fine (one minute) up to four days and coarse (one hour) beyond, so a percentile
/// comes from fixed memory without keeping every observation.
/// </summary>
internal sealed class DurationHistogram
{
    private const int FinePerHour = 60;
    private const int FineHours = 96;
    private const int CoarseHours = 4000;
    private readonly long[] _fine = new long[FineHours * FinePerHour];
    private readonly long[] _coarse = new long[CoarseHours];
    private long _overflow;
    private double _max;

    public long Count { get; private set; }

    public void Add(double hours)
    {
        Count++;
        _max = Math.Max(_max, hours);
        if (hours < FineHours)
        {
            _fine[(int)(Math.Max(0, hours) * FinePerHour)]++;
        }
        else if (hours < CoarseHours)
        {
            _coarse[(int)hours]++;
        }
        else
        {
            _overflow++;
        }
    }

    /// <summary>The q-quantile (0..1), interpolated inside the bin that holds it; 0 when empty.</summary>
    public double Quantile(double q)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = q * Count;
        double seen = 0;
        for (var i = 0; i < _fine.Length; i++)
        {
            if (_fine[i] > 0 && seen + _fine[i] >= rank)
            {
                return (i + ((rank - seen) / _fine[i])) / FinePerHour;
            }

            seen += _fine[i];
        }

        for (var i = FineHours; i < _coarse.Length; i++)
        {
            if (_coarse[i] > 0 && seen + _coarse[i] >= rank)
            {
                return i + ((rank - seen) / _coarse[i]);
            }

            seen += _coarse[i];
        }

        return _max;
    }
}
