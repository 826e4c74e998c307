/** One line of a tree, with the lines drawn under it. */
export interface TreeNode {
  text: string;
  children?: readonly TreeNode[];
}

/**
 * Draws nodes as an indented tree. Each node but the last of its siblings starts with `├─`, and
 * the last with `└─`. A `│` under a node that is not last leads down to its next sibling.
 */
export function treeLines(nodes: readonly TreeNode[], indent = ''): string[] {
  const lines: string[] = [];
  nodes.forEach((node, index) => {
    const last = index === nodes.length - 1;
    lines.push(`${indent}${last ? '└─' : '├─'} ${node.text}`);
    lines.push(...treeLines(node.children ?? [], `${indent}${last ? '   ' : '│  '}`));
  });
  return lines;
}
