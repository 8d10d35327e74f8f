using Microsoft.Data.Sqlite;
using TradeSim.Grains.Storage;
using TradeSim.Silo.Storage;

namespace TradeSim.Silo.Tests;

/// <summary>The embedded store honours the result store contract: each test on a new SQLite file.</summary>
public sealed class SqliteResultStoreContractTests : ResultStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tradesim-store-contract-").FullName;
    private readonly List<SqliteResultStore> _stores = [];

    protected override IResultStore NewStore()
    {
        var store = SqliteResultStore.Open(Path.Combine(_directory, $"results-{_stores.Count}.db"), create: true);
        _stores.Add(store);
        return store;
    }

    public void Dispose()
    {
        _stores.ForEach(s => s.Dispose());
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
