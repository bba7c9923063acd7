"""Drives `sotto mcp` with the official `mcp` package's stdio client.

Usage: mcp_client.py SOTTO SOCKET CALLS_JSON, where CALLS_JSON is a list of [tool, arguments]. Starts
`SOTTO mcp --socket SOCKET`, initializes, lists the tools, calls each in turn and prints one JSON
document of what it saw; Tests/EndToEndTests/MCPServerTests.swift judges it.
"""

import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


async def run(sotto, socket, calls):
    params = StdioServerParameters(command=sotto, args=["mcp", "--socket", socket])
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            initialized = await session.initialize()
            listed = await session.list_tools()
            results = []
            for name, arguments in calls:
                result = await session.call_tool(name, arguments)
                text = "".join(part.text for part in result.content if part.type == "text")
                results.append({"tool": name, "is_error": bool(result.isError), "text": text})
            return {
                "server": initialized.serverInfo.name,
                "tools": [{"name": t.name, "description": t.description, "required": t.inputSchema.get("required", []),
                           "properties": sorted(t.inputSchema.get("properties", {}).keys())} for t in listed.tools],
                "results": results,
            }


def main():
    sotto, socket, calls = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    json.dump(asyncio.run(run(sotto, socket, calls)), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
