using System.Runtime.InteropServices;
using VaeLab.Runner.Notebooks;

namespace VaeLab.Runner.Kernel;

/// <summary>The <c>vaelab kernel</c> commands, callable in-process.</summary>
public static class KernelCommand
{
    /// <summary>Serves Jupyter on the connection file's ports until a shutdown_request.</summary>
    public static int Serve(string? connectionFile, TextWriter error, double? stopGraceSeconds = null)
    {
        if (string.IsNullOrEmpty(connectionFile))
        {
            error.WriteLine("vaelab kernel: --connection-file is required (Jupyter passes it; see 'vaelab kernel install' to register the kernel).");
            return Cli.ExitBadInput;
        }
        ConnectionInfo info;
        try { info = ConnectionInfo.Load(connectionFile); }
        catch (BadInputException e) { error.WriteLine($"vaelab kernel: {e.Message}"); return Cli.ExitBadInput; }
        // VAELAB_KERNEL_STOP_GRACE: seconds an interrupted cell gets before it is abandoned (default 5; the tests shorten it).
        if (stopGraceSeconds == null && double.TryParse(Environment.GetEnvironmentVariable("VAELAB_KERNEL_STOP_GRACE"), System.Globalization.CultureInfo.InvariantCulture, out var fromEnv) && fromEnv > 0)
            stopGraceSeconds = fromEnv;
        using var kernel = new JupyterKernel(info, error, stopGrace: stopGraceSeconds is { } g ? TimeSpan.FromSeconds(g) : null);
        // SIGINT (Ctrl+C in the terminal, or a client using interrupt_mode "signal") interrupts the cell, not the kernel.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; kernel.Interrupt("interrupted by SIGINT"); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; kernel.Stop(); });
        int exit = kernel.Run();
        NetMQ.NetMQConfig.Cleanup(block: false);
        return exit;
    }

    public static int Install(string? name, bool user, string? prefix, string? displayName, bool force, TextWriter console, TextWriter error)
    {
        try { KernelSpec.Install(name ?? KernelSpec.DefaultName, user, prefix, displayName, force, console); return 0; }
        catch (BadInputException e) { error.WriteLine($"vaelab kernel install: {e.Message}"); return Cli.ExitBadInput; }
    }

    public static int Uninstall(string? name, bool user, string? prefix, TextWriter console, TextWriter error)
    {
        try { KernelSpec.Uninstall(name ?? KernelSpec.DefaultName, user, prefix, console); return 0; }
        catch (BadInputException e) { error.WriteLine($"vaelab kernel uninstall: {e.Message}"); return Cli.ExitBadInput; }
    }
}

/// <summary>The System.CommandLine shape of <c>vaelab kernel [install|uninstall]</c>.</summary>
public static class KernelCli
{
    public static System.CommandLine.Command Command(TextWriter console, TextWriter error)
    {
        var connectionFile = new System.CommandLine.Option<string?>("--connection-file", "-f") { Description = "The connection file Jupyter writes ({connection_file} in the kernelspec)." };
        var name = new System.CommandLine.Option<string?>("--name") { Description = $"Kernelspec name (default {KernelSpec.DefaultName}; '.net-csharp' makes notebooks saved for Polyglot Notebooks open with this kernel)." };
        var user = new System.CommandLine.Option<bool>("--user") { Description = "Install for the current user ($JUPYTER_DATA_DIR or ~/.local/share/jupyter)." };
        var prefix = new System.CommandLine.Option<string?>("--prefix") { Description = "Install under PREFIX/share/jupyter (e.g. a virtual environment)." };
        var displayName = new System.CommandLine.Option<string?>("--display-name") { Description = $"Name shown in kernel pickers (default \"{KernelSpec.DisplayName}\")." };
        var force = new System.CommandLine.Option<bool>("--force") { Description = "Replace a kernelspec of that name that another kernel installed." };

        var install = new System.CommandLine.Command("install", "Register the kernel with Jupyter (writes kernels/NAME/kernel.json).") { name, user, prefix, displayName, force };
        install.SetAction(pr => KernelCommand.Install(pr.GetValue(name), pr.GetValue(user), pr.GetValue(prefix), pr.GetValue(displayName), pr.GetValue(force), console, error));
        var uninstall = new System.CommandLine.Command("uninstall", "Remove the kernelspec that 'vaelab kernel install' wrote.") { name, user, prefix };
        uninstall.SetAction(pr => KernelCommand.Uninstall(pr.GetValue(name), pr.GetValue(user), pr.GetValue(prefix), console, error));

        var kernel = new System.CommandLine.Command("kernel", "Serve notebooks to Jupyter front ends (VS Code, JupyterLab, nbclient): a Jupyter kernel for C# running the same engine as 'vaelab run'.") { connectionFile, install, uninstall };
        kernel.SetAction(pr => KernelCommand.Serve(pr.GetValue(connectionFile), error));
        return kernel;
    }
}
