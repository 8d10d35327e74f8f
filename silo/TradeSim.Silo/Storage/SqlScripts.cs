using System.Reflection;

namespace TradeSim.Silo.Storage;

/// <summary>The SQL migrations shipped inside this assembly (Storage/Migrations/&lt;database&gt;/NNNN-name.sql), in version order.</summary>
internal static class SqlScripts
{
    /// <summary>The migrations of one database ("Sqlite" or "PostgreSql"): script i brings the schema to version i + 1.</summary>
    public static IReadOnlyList<string> Migrations(string database)
    {
        var assembly = typeof(SqlScripts).Assembly;
        var prefix = $"{assembly.GetName().Name}.Storage.Migrations.{database}.";
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        return names.Select(n => Read(assembly, n)).ToList();
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"missing embedded script {name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
