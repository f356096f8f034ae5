using Microsoft.Extensions.Options;

namespace RouterAdmin.Firewall.Apply;

/// <summary>
/// Crash-safety tests need a process that dies at a chosen point of an apply, as if the power went or someone ran
/// kill -9. Setting <c>RouterAdmin:Testing:KillAfterStep</c> (normally only from a test's environment) makes the
/// process SIGKILL itself right after that step. Unset, this does nothing.
/// </summary>
public sealed class FaultInjection(IOptions<FaultInjection.Settings> options)
{
    public sealed class Settings
    {
        public const string Section = "RouterAdmin:Testing";
        public ApplyStep? KillAfterStep { get; set; }
    }

    public void After(ApplyStep step)
    {
        if (options.Value.KillAfterStep == step)
            System.Diagnostics.Process.GetCurrentProcess().Kill();
    }
}
