namespace VaeLab.Bench;

public static partial class Cases
{
    private static partial IEnumerable<ModelCase> Seed002() => Array.Empty<ModelCase>();
    private static partial IEnumerable<ModelCase> Seed003() => Array.Empty<ModelCase>();
}
