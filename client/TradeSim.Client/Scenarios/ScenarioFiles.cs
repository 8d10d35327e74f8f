using System.Text;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Scenarios;

/// <summary>
/// A scenario file read from disk with the chain of files it extends, base first: each layer's text (named for
/// error messages) and, at the same position, the full path it was read from.
/// </summary>
internal sealed record ScenarioFile(string Path, IReadOnlyList<ScenarioSource> Layers, IReadOnlyList<string> LayerPaths);

/// <summary>
/// Reads scenario files and resolves `extends`, turning every problem - a missing file, binary content, a cycle -
/// into a located error. Parsing the text is left to the grains' parser.
/// <para>
/// A scenario is named by a path or by a bundled NAME: a value with no `/` or `\` that does not end in `.yaml` or
/// `.yml` (`baseline`). On the command line a file of that name in the working folder comes first, then the bundled
/// scenario. In `extends:` a file of that name beside the extending file comes first, then the bundled scenario, so
/// `extends: baseline` in any folder reads the same bundled baseline that `tradesim batch baseline ...` reads. Any other
/// `extends:` value is a path, relative to the extending file's folder unless absolute (`extends: baseline.yaml`,
/// `extends: ../base/world.yaml`). The working folder never decides which bundled file is read.
/// </para>
/// </summary>
internal static class ScenarioFiles
{
    /// <summary>
    /// The largest scenario file read: 16 MiB, about 20 times the largest world `tradesim generate` writes for the
    /// scale benchmarks (a million trucks); a larger file is refused before it is read.
    /// </summary>
    public const long MaxFileBytes = 16L * 1024 * 1024;

    /// <summary>
    /// The one folder of bundled scenarios, found once per process and never from the working folder: `scenarios/`
    /// beside the executable (the build and the installed tool copy them there); when that is missing (running from
    /// source), the `scenarios/` of the nearest folder above the executable that holds `TradeSim.sln`. When neither
    /// exists it is the (missing) folder beside the executable, and there are no bundled scenarios.
    /// </summary>
    public static string BundledDirectory { get; } = FindBundledDirectory(AppContext.BaseDirectory);

    /// <summary>
    /// Resolves a command-line argument to a file path: an existing file or anything path-like (a `/` or `\`, a
    /// `.yaml` or `.yml` ending) is a path; otherwise a bundled NAME (`baseline`) is the file in
    /// <see cref="BundledDirectory"/>; anything else is returned unchanged (and reported missing when read).
    /// </summary>
    public static string ResolvePath(string pathOrName)
    {
        ArgumentNullException.ThrowIfNull(pathOrName);
        if (File.Exists(pathOrName) || !IsName(pathOrName))
        {
            return pathOrName;
        }

        return BundledFile(pathOrName) ?? pathOrName;
    }

    /// <summary>
    /// Resolves the value of an `extends:` in <paramref name="extendingFile"/>: a path is relative to the extending
    /// file's folder (or absolute); a NAME is a file of that name beside the extending file when there is one, else the
    /// bundled scenario of that name (as <see cref="ResolvePath"/> resolves it), else the missing file beside it.
    /// </summary>
    public static string ResolveExtends(string extendingFile, string value)
    {
        ArgumentNullException.ThrowIfNull(extendingFile);
        ArgumentNullException.ThrowIfNull(value);
        var beside = Path.Combine(Path.GetDirectoryName(extendingFile) ?? ".", value);
        if (!IsName(value) || File.Exists(beside) || Directory.Exists(beside))
        {
            return beside;
        }

        return BundledFile(value) ?? beside;
    }

    /// <summary>True when <paramref name="path"/> is a file of <see cref="BundledDirectory"/> (by full path).</summary>
    public static bool IsBundled(string path) =>
        string.Equals(Path.GetDirectoryName(Path.GetFullPath(path)), BundledDirectory, StringComparison.Ordinal);

    /// <summary>A bundled scenario NAME: no directory separator and no `.yaml`/`.yml` ending.</summary>
    private static bool IsName(string value) =>
        !value.Contains('/', StringComparison.Ordinal) && !value.Contains('\\', StringComparison.Ordinal)
        && !value.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) && !value.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    private static string? BundledFile(string name)
    {
        var bundled = Path.Combine(BundledDirectory, name + ".yaml");
        return File.Exists(bundled) ? bundled : null;
    }

    /// <summary>The bundled folder for an executable in <paramref name="baseDirectory"/> (see <see cref="BundledDirectory"/>).</summary>
    internal static string FindBundledDirectory(string baseDirectory)
    {
        var besideExecutable = Path.GetFullPath(Path.Combine(baseDirectory, "scenarios"));
        if (Directory.Exists(besideExecutable))
        {
            return besideExecutable;
        }

        for (var dir = new DirectoryInfo(Path.GetFullPath(baseDirectory)); dir is not null; dir = dir.Parent)
        {
            var scenarios = Path.Combine(dir.FullName, "scenarios");
            if (File.Exists(Path.Combine(dir.FullName, "TradeSim.sln")) && Directory.Exists(scenarios))
            {
                return scenarios;
            }
        }

        return besideExecutable;
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
        var nameHint = false;
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
            var text = ReadText(current, referencedAt, nameHint, errors);
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
                errors.Add(new ScenarioError(extendsNode.Location, "extends: expected the scenario this one changes: a bundled name (`extends: baseline`) or a path relative to this file (`extends: my-base.yaml`)"));
                return null;
            }

            referencedAt = extendsNode.Location;
            nameHint = IsName(extendsScalar.Value);
            current = ResolveExtends(current, extendsScalar.Value);
        }

        chain.Reverse();
        visited.Reverse();
        return new ScenarioFile(path, chain, visited);
    }

    private static string? ReadText(string path, SourceLocation? referencedAt, bool nameHint, List<ScenarioError> errors)
    {
        var where = referencedAt ?? new SourceLocation(Display(path), 0, 0);
        if (Directory.Exists(path))
        {
            errors.Add(new ScenarioError(where, $"'{Display(path)}' is a directory: expected a scenario file (.yaml)"));
            return null;
        }

        if (!File.Exists(path))
        {
            var hint = referencedAt is null || nameHint ? $"; bundled scenarios: {string.Join(", ", BundledNames())}" : string.Empty;
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

    /// <summary>A path as messages show it: relative to the working folder when it lies under it, else as given.</summary>
    public static string Display(string path) => Path.GetRelativePath(Directory.GetCurrentDirectory(), Path.GetFullPath(path)) is { } rel && !rel.StartsWith("..", StringComparison.Ordinal) ? rel : path;
}
