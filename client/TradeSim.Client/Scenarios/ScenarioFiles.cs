using System.Text;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Scenarios;

/// <summary>A scenario file read from disk with the chain of files it extends, base first.</summary>
internal sealed record ScenarioFile(string Path, IReadOnlyList<ScenarioSource> Layers);

/// <summary>
/// Reads scenario files and resolves `extends` (relative to the extending file), turning every problem - a missing
/// file, binary content, a cycle - into a located error. Parsing the text is left to the grains' parser.
/// </summary>
internal static class ScenarioFiles
{
    /// <summary>
    /// The largest scenario file read: 16 MiB, about 20 times the largest world `tradesim generate` writes for the
    /// scale benchmarks (a million trucks); a larger file is refused before it is read.
    /// </summary>
    public const long MaxFileBytes = 16L * 1024 * 1024;

    /// <summary>The folder of bundled scenarios: next to the executable, or the repository's `scenarios/` when run from source.</summary>
    public static string BundledDirectory
    {
        get
        {
            var besideExecutable = Path.Combine(AppContext.BaseDirectory, "scenarios");
            return Directory.Exists(besideExecutable) ? besideExecutable : Path.Combine(Directory.GetCurrentDirectory(), "scenarios");
        }
    }

    /// <summary>Resolves a path, or the name of a bundled scenario (`baseline`), to a file path.</summary>
    public static string ResolvePath(string pathOrName)
    {
        ArgumentNullException.ThrowIfNull(pathOrName);
        if (File.Exists(pathOrName) || pathOrName.Contains('/', StringComparison.Ordinal) || pathOrName.Contains('\\', StringComparison.Ordinal)
            || pathOrName.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || pathOrName.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
        {
            return pathOrName;
        }

        var bundled = Path.Combine(BundledDirectory, pathOrName + ".yaml");
        return File.Exists(bundled) ? bundled : pathOrName;
    }

    /// <summary>Reads a scenario and the files it extends. Returns null with errors when any of them cannot be read.</summary>
    public static ScenarioFile? Load(string pathOrName, List<ScenarioError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(pathOrName);
        if (string.IsNullOrWhiteSpace(pathOrName) || pathOrName.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add(new ScenarioError(new SourceLocation("(command line)", 0, 0), $"{Silo.Hosting.CommandLineValues.Quote(pathOrName)}: expected a scenario file path or a bundled scenario name"));
            return null;
        }

        var path = ResolvePath(pathOrName);
        var chain = new List<ScenarioSource>();
        var visited = new List<string>();
        var current = path;
        SourceLocation? referencedAt = null;
        while (true)
        {
            var full = Path.GetFullPath(current);
            if (visited.Contains(full, StringComparer.Ordinal))
            {
                var cycle = string.Join(" -> ", visited.Skip(visited.IndexOf(full)).Append(full).Select(Path.GetFileName));
                errors.Add(new ScenarioError(referencedAt!.Value, $"cyclic `extends`: {cycle}: expected a chain that ends in a file without `extends`"));
                return null;
            }

            visited.Add(full);
            var text = ReadText(current, referencedAt, errors);
            if (text is null)
            {
                return null;
            }

            var source = new ScenarioSource(Display(current), text);
            chain.Add(source);
            var errorsBefore = errors.Count;
            var root = YamlTreeReader.Read(source, errors);
            if (root is null || errors.Count > errorsBefore)
            {
                return null;
            }

            if (root is not YamlMapping map || map.Get("extends") is not { } extendsNode)
            {
                break;
            }

            if (extendsNode is not YamlScalar { IsNull: false } extendsScalar || extendsScalar.Value.Length == 0)
            {
                errors.Add(new ScenarioError(extendsNode.Location, "extends: expected the path of the scenario file this one changes, e.g. `extends: baseline.yaml`"));
                return null;
            }

            referencedAt = extendsNode.Location;
            current = Path.Combine(Path.GetDirectoryName(current) ?? ".", extendsScalar.Value);
        }

        chain.Reverse();
        return new ScenarioFile(path, chain);
    }

    private static string? ReadText(string path, SourceLocation? referencedAt, List<ScenarioError> errors)
    {
        var where = referencedAt ?? new SourceLocation(Display(path), 0, 0);
        if (Directory.Exists(path))
        {
            errors.Add(new ScenarioError(where, $"'{Display(path)}' is a directory: expected a scenario file (.yaml)"));
            return null;
        }

        if (!File.Exists(path))
        {
            var hint = referencedAt is null ? $"; bundled scenarios: {string.Join(", ", BundledNames())}" : string.Empty;
            errors.Add(new ScenarioError(where, $"file not found: '{Display(path)}': expected a scenario file path or a bundled scenario name{hint}"));
            return null;
        }

        // Only regular files: a device (/dev/zero) never ends and a FIFO blocks the open itself.
        if (RegularFiles.KindOf(path) is { } kind)
        {
            errors.Add(new ScenarioError(where, $"'{Display(path)}' is {kind}: expected a regular scenario file (.yaml)"));
            return null;
        }

        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > MaxFileBytes)
            {
                errors.Add(new ScenarioError(where, $"'{Display(path)}' is {stream.Length:N0} bytes: expected a scenario file of at most {MaxFileBytes:N0} bytes"));
                return null;
            }

            // Read at most one byte past the limit, whatever the length said (a file that grows while it is read).
            bytes = new byte[(int)stream.Length];
            var read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (read < bytes.Length)
            {
                Array.Resize(ref bytes, read);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new ScenarioError(where, $"cannot read '{Display(path)}': {e.GetType().Name}"));
            return null;
        }

        var nul = Array.IndexOf(bytes, (byte)0);
        if (nul >= 0)
        {
            errors.Add(new ScenarioError(new SourceLocation(Display(path), 1, 1), $"not a text file (a zero byte at offset {nul}): expected a UTF-8 YAML scenario"));
            return null;
        }

        try
        {
            var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (DecoderFallbackException e)
        {
            errors.Add(new ScenarioError(new SourceLocation(Display(path), 1, 1), $"not UTF-8 text (invalid byte at offset {e.Index}): expected a UTF-8 YAML scenario"));
            return null;
        }
    }

    public static IEnumerable<string> BundledNames() =>
        Directory.Exists(BundledDirectory)
            ? Directory.GetFiles(BundledDirectory, "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!
            : [];

    private static string Display(string path) => Path.GetRelativePath(Directory.GetCurrentDirectory(), Path.GetFullPath(path)) is { } rel && !rel.StartsWith("..", StringComparison.Ordinal) ? rel : path;
}
