// EC2: instances first (the page is shared with VPC, which opens on its network tabs).
import { Ec2Console } from '../parts/ec2-console.js';

export default () => <Ec2Console initial="instances" title="Amazon EC2" />;
