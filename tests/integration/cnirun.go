// SPDX-License-Identifier: BSD-3-Clause
//
// cnirun: a container runtime's CNI calls, made through libcni, for
// test_cni.py. Debian 12's golang-github-appc-cni-dev (libcni 1.1.2) ships
// libcni and pkg/ but not the cnitool command, so this stands in for it with
// the same command line and environment:
//
//	cnirun add|check|del NETWORK NETNS
//
// NETCONFPATH is the directory of the network configurations (*.conf,
// *.conflist, *.json; a single .conf is taken as a list of one), CNI_PATH
// where the plugins are, CAP_ARGS the runtime's capability arguments as
// JSON ({"bandwidth": {"egressRate": ...}}: libcni passes a plugin those of
// its "capabilities" as "runtimeConfig"), CNI_ARGS "K=V;K=V", CNI_IFNAME the
// interface (default eth0), CNI_CONTAINERID the container (default
// "cnirun-" and the netns's name), CNI_CACHE_DIR where libcni keeps ADD's
// result for CHECK and DEL (default libcni's /var/lib/cni).
//
// Everything between the command line and the plugin is libcni's, as in a
// runtime: AddNetworkList (plugins in order, each given the previous one's
// result as prevResult, the last result cached), CheckNetworkList and
// DelNetworkList (given the cached result), with the version negotiation
// and result conversion they do.
//
// Output: add prints the result as JSON; check and del print nothing. On
// failure the plugin's CNI error, as libcni decoded it, is printed on stdout
// as JSON ({"code", "msg", "details"}, code 0 when the failure was libcni's
// own), libcni's message on stderr, and the exit status is 1.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
)

func fail(err error) {
	var cniErr *types.Error
	out := map[string]interface{}{"code": 0, "msg": err.Error()}
	if errors.As(err, &cniErr) {
		out = map[string]interface{}{"code": cniErr.Code, "msg": cniErr.Msg,
			"details": cniErr.Details}
	}
	text, _ := json.Marshal(out)
	fmt.Println(string(text))
	fmt.Fprintln(os.Stderr, "cnirun:", err)
	os.Exit(1)
}

// The network list NAME in DIR: a .conflist, or a .conf/.json of one plugin.
func loadList(dir, name string) (*libcni.NetworkConfigList, error) {
	list, err := libcni.LoadConfList(dir, name)
	if err == nil {
		return list, nil
	}
	var notFound libcni.NotFoundError
	if !errors.As(err, &notFound) {
		return nil, err
	}
	conf, err := libcni.LoadConf(dir, name)
	if err != nil {
		return nil, err
	}
	return libcni.ConfListFromConf(conf)
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: cnirun add|check|del NETWORK NETNS")
		os.Exit(2)
	}
	cmd, network, netns := os.Args[1], os.Args[2], os.Args[3]

	list, err := loadList(os.Getenv("NETCONFPATH"), network)
	if err != nil {
		fail(err)
	}
	rt := &libcni.RuntimeConf{
		ContainerID: os.Getenv("CNI_CONTAINERID"),
		NetNS:       netns,
		IfName:      os.Getenv("CNI_IFNAME"),
	}
	if rt.IfName == "" {
		rt.IfName = "eth0"
	}
	if rt.ContainerID == "" {
		rt.ContainerID = "cnirun-" + filepath.Base(netns)
	}
	if capArgs := os.Getenv("CAP_ARGS"); capArgs != "" {
		if err := json.Unmarshal([]byte(capArgs), &rt.CapabilityArgs); err != nil {
			fail(fmt.Errorf("CAP_ARGS: %w", err))
		}
	}
	if args := os.Getenv("CNI_ARGS"); args != "" {
		for _, kv := range strings.Split(args, ";") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				fail(fmt.Errorf("CNI_ARGS: %q is not K=V", kv))
			}
			rt.Args = append(rt.Args, [2]string{k, v})
		}
	}
	cni := libcni.NewCNIConfigWithCacheDir(filepath.SplitList(os.Getenv("CNI_PATH")),
		os.Getenv("CNI_CACHE_DIR"), nil)
	ctx := context.Background()

	switch cmd {
	case "add":
		result, err := cni.AddNetworkList(ctx, list, rt)
		if err != nil {
			fail(err)
		}
		if err := result.Print(); err != nil {
			fail(err)
		}
	case "check":
		if err := cni.CheckNetworkList(ctx, list, rt); err != nil {
			fail(err)
		}
	case "del":
		if err := cni.DelNetworkList(ctx, list, rt); err != nil {
			fail(err)
		}
	default:
		fmt.Fprintf(os.Stderr, "cnirun: unknown command %q (add, check, del)\n", cmd)
		os.Exit(2)
	}
}
